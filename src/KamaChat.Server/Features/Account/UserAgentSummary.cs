namespace KamaChat.Server.Features.Account;

/// <summary>
/// A User-Agent header as a person would name the device: "Firefox on Windows". Whatever else the header says is the
/// client's own text and never reaches an email, where it would read as if we wrote it.
/// </summary>
public static class UserAgentSummary
{
    // Order matters: browsers name the engines they imitate (Edge says Chrome and Safari, Chrome says Safari).
    private static readonly (string Token, string Name)[] Browsers =
    [
        ("Edg/", "Edge"), ("EdgA/", "Edge"), ("EdgiOS/", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser/", "Samsung Internet"),
        ("Vivaldi/", "Vivaldi"), ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"), ("CriOS/", "Chrome"), ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"), ("Safari/", "Safari"),
    ];

    private static readonly (string Token, string Name)[] Systems =
    [
        ("Windows", "Windows"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Android", "Android"), ("CrOS", "ChromeOS"),
        ("Mac OS X", "macOS"), ("Macintosh", "macOS"), ("Linux", "Linux"),
    ];

    public static string Describe(string? userAgent)
    {
        var browser = Find(Browsers, userAgent) ?? "an unknown browser";
        return Find(Systems, userAgent) is { } system ? $"{browser} on {system}" : browser;
    }

    private static string? Find((string Token, string Name)[] candidates, string? userAgent) =>
        userAgent is null ? null : candidates.FirstOrDefault(c => userAgent.Contains(c.Token, StringComparison.Ordinal)).Name;
}
