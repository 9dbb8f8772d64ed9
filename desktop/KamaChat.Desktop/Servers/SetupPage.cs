namespace KamaChat.Desktop.Servers;

/// <summary>
/// The first-run page that asks for the server's address (and adds more later), a file of ours shown in the app
/// window. Its bridge calls (servers.*) are accepted from file:// documents only, never from a server's pages.
/// </summary>
public static class SetupPage
{
    public const string Origin = "file://";

    public static string Url(Config.DesktopPaths paths)
    {
        var file = Path.Combine(paths.DataDirectory, "setup.html");
        Resources.CopyTo("setup.html", file);
        return new Uri(file).AbsoluteUri;
    }

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Whether a KamaChat server answers there (its liveness endpoint), so a typo is caught before the window goes blank.</summary>
    public static async Task<bool> IsKamaChatAsync(string origin)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(origin + "/healthz"));
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
