// A Linux desktop app: D-Bus, X11, XDG directories and unix sockets throughout.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace KamaChat.Desktop;

/// <summary>Files built into the executable (the bridge script, the setup page, the icon).</summary>
public static class Resources
{
    public static string Read(string name)
    {
        using var stream = typeof(Resources).Assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"Missing resource {name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static void CopyTo(string name, string file)
    {
        using var stream = typeof(Resources).Assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"Missing resource {name}.");
        using var output = File.Create(file);
        stream.CopyTo(output);
    }
}
