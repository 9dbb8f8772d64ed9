namespace KamaChat.Server.Infrastructure.Http;

/// <summary>How optional text fields of requests are read, the same on every endpoint.</summary>
public static class RequestText
{
    /// <summary>Trimmed; whitespace-only means "clear this field".</summary>
    public static string? Cleared(string value) => value.Trim() is { Length: > 0 } trimmed ? trimmed : null;

    /// <summary>Pictures given as links must be https: the page's CSP blocks plain http images, which would fail silently.</summary>
    public static bool IsHttpsUrl(string value) =>
        Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;

    public static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
