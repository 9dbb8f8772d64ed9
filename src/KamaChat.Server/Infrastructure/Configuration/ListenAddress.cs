using System.Text.RegularExpressions;

namespace KamaChat.Server.Infrastructure.Configuration;

/// <summary>Where this node listens: ASP.NET Core's URLS when set, else the seed's HOST and PORT (default localhost:3000).</summary>
public static partial class ListenAddress
{
    /// <summary>ASP.NET Core's own listen URLs (URLS or ASPNETCORE_URLS), which win over HOST and PORT.</summary>
    public static string? AspNetCoreUrls(IConfiguration configuration) =>
        configuration["URLS"] is { Length: > 0 } urls ? urls
        : configuration["ASPNETCORE_URLS"] is { Length: > 0 } aspNetCoreUrls ? aspNetCoreUrls
        : null;

    /// <summary>Every URL the node listens on, ';'-separated: ASP.NET Core's URLS when set, else http://HOST:PORT.</summary>
    public static string Urls(IConfiguration configuration) => AspNetCoreUrls(configuration) ?? FromHostAndPort(configuration);

    /// <summary>The listen URL the seed's HOST and PORT give.</summary>
    public static string FromHostAndPort(IConfiguration configuration)
    {
        var host = configuration["HOST"] is { Length: > 0 } h ? h : "localhost";
        var port = configuration["PORT"] is { Length: > 0 } p ? p : "3000";
        return $"http://{host}:{port}";
    }

    /// <summary>
    /// The address a browser on this machine reaches the listener at, for links when PUBLIC_URL is not set: the
    /// first listen URL, with a wildcard host (0.0.0.0, ::, *, +) as localhost. Null when it cannot be read.
    /// </summary>
    public static Uri? Reachable(IConfiguration configuration)
    {
        var first = Urls(configuration).Split(';', StringSplitOptions.RemoveEmptyEntries)[0];
        var match = ListenUrl().Match(first.Trim());
        if (!match.Success)
            return null;
        var host = match.Groups["host"].Value.Trim('[', ']');
        host = host is "0.0.0.0" or "::" or "*" or "+" ? "localhost" : host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        var port = match.Groups["port"].Success ? ":" + match.Groups["port"].Value : "";
        return Uri.TryCreate($"{match.Groups["scheme"].Value.ToLowerInvariant()}://{host}{port}/", UriKind.Absolute, out var url) ? url : null;
    }

    [GeneratedRegex(@"^(?<scheme>https?)://(?<host>\[[^\]]*\]|[^:/\[\]]+|::)(:(?<port>\d{1,5}))?/?$", RegexOptions.IgnoreCase)]
    private static partial Regex ListenUrl();
}
