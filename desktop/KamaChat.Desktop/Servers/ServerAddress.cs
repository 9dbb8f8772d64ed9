namespace KamaChat.Desktop.Servers;

/// <summary>A KamaChat server's address as the app keeps it: an http(s) origin, without path, query or trailing slash.</summary>
public static class ServerAddress
{
    public const string Default = "http://localhost:3000";

    /// <summary>Accepts what a person types ("chat.example.org", "http://localhost:3000/") and gives its origin, or null.</summary>
    public static string? Normalize(string? input)
    {
        var text = input?.Trim();
        if (string.IsNullOrEmpty(text))
            return null;
        if (!text.Contains("://", StringComparison.Ordinal))
            text = "https://" + text;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || string.IsNullOrEmpty(uri.Host) || !string.IsNullOrEmpty(uri.UserInfo) || uri.AbsolutePath != "/"
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            return null;
        return uri.GetLeftPart(UriPartial.Authority);
    }
}
