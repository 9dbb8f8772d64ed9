using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Http;

/// <summary>
/// Which peers may tell the client's address and scheme (X-Forwarded-For, X-Forwarded-Proto): loopback always (nginx on
/// the same machine, as deploy/nginx/kamachat.conf runs), plus KNOWN_PROXIES (addresses) and KNOWN_NETWORKS (CIDR
/// ranges), comma-separated. Anyone else's forwarded headers are ignored, so a client cannot pick its own address.
/// </summary>
public sealed class TrustedProxies
{
    public List<IPAddress> Proxies { get; } = [];

    public List<System.Net.IPNetwork> Networks { get; } = [System.Net.IPNetwork.Parse("127.0.0.0/8"), System.Net.IPNetwork.Parse("::1/128")];

    public string? Error { get; set; }

    public static void Bind(TrustedProxies options, IConfiguration configuration)
    {
        foreach (var text in List(configuration["KNOWN_PROXIES"]))
        {
            if (IPAddress.TryParse(text, out var address))
                options.Proxies.Add(address);
            else
                options.Error = $"KNOWN_PROXIES must list IP addresses separated by commas (got '{text}').";
        }
        foreach (var text in List(configuration["KNOWN_NETWORKS"]))
        {
            if (System.Net.IPNetwork.TryParse(text, out var network))
                options.Networks.Add(network);
            else
                options.Error = $"KNOWN_NETWORKS must list CIDR ranges such as 10.0.0.0/8 separated by commas (got '{text}').";
        }
    }

    /// <summary>
    /// Every trusted hop is peeled off from the right, so a chain of proxies (a CDN, then nginx) works, and the client's
    /// own X-Forwarded-For entries count only when the proxy after them is trusted too.
    /// </summary>
    public void Apply(ForwardedHeadersOptions forwarded)
    {
        forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        forwarded.ForwardLimit = null;
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var proxy in Proxies)
            forwarded.KnownProxies.Add(proxy);
        foreach (var network in Networks)
            forwarded.KnownIPNetworks.Add(network);
    }

    private static string[] List(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

internal sealed class TrustedProxiesValidator : IValidateOptions<TrustedProxies>
{
    public ValidateOptionsResult Validate(string? name, TrustedProxies options) =>
        options.Error is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.Error);
}
