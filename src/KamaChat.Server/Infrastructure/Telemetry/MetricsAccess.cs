using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Telemetry;

/// <summary>
/// Guards the scrape endpoint. A caller who may not read it gets a plain 404, as if there were no endpoint. The
/// remote address is the one ASP.NET Core's forwarded-headers handling settled on, so behind a trusted nginx it is
/// the real client's, never the proxy's loopback address.
/// </summary>
public sealed class MetricsAccess(IOptions<MetricsOptions> options)
{
    public bool Allows(HttpContext context)
    {
        var settings = options.Value;
        if (settings.Token is { } token && BearerToken(context.Request) is { } offered && SameSecret(offered, token))
            return true;
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null)
            return false;
        if (remote.IsIPv4MappedToIPv6)
            remote = remote.MapToIPv4();
        return settings.AllowedNetworks.Any(network => network.Contains(remote));
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
    }

    private static bool SameSecret(string offered, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(offered)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
