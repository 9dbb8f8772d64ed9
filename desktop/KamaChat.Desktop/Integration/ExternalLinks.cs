using System.ComponentModel;
using System.Diagnostics;

namespace KamaChat.Desktop.Integration;

/// <summary>Hands a link to the user's own browser (or mail program), the way the desktop opens any link.</summary>
public static class ExternalLinks
{
    public static void Open(string url)
    {
        try
        {
            var start = new ProcessStartInfo("xdg-open") { UseShellExecute = false };
            start.ArgumentList.Add(url);
            using var process = Process.Start(start);
        }
        catch (Win32Exception e)
        {
            Console.Error.WriteLine($"kamachat-desktop: could not open {url}: {e.Message}");
        }
    }
}
