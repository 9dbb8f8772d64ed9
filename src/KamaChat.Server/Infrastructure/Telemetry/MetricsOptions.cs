using System.Net;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Telemetry;

/// <summary>
/// Who may read <c>/metrics</c>. Metrics say how busy a community is and which features it uses, so the endpoint is
/// not public: by default only this machine may scrape it; <c>METRICS_ALLOW</c> names other networks (a Prometheus
/// host) and <c>METRICS_TOKEN</c> lets a scraper in from anywhere with <c>Authorization: Bearer &lt;token&gt;</c>.
/// </summary>
public sealed class MetricsOptions
{
    public const string Path = "/metrics";

    /// <summary>Networks that may scrape without a token (CIDR or single addresses). Loopback unless METRICS_ALLOW says otherwise.</summary>
    public List<IPNetwork> AllowedNetworks { get; } = [];

    /// <summary>A bearer token that opens the endpoint from anywhere; null when not configured.</summary>
    public string? Token { get; set; }

    /// <summary>What METRICS_ALLOW said that is not a network, reported at start-up.</summary>
    internal List<string> Invalid { get; } = [];

    public static void Bind(MetricsOptions options, IConfiguration configuration)
    {
        options.Token = configuration["METRICS_TOKEN"] is { Length: > 0 } token ? token : null;
        var allow = configuration["METRICS_ALLOW"];
        if (allow is null)
        {
            options.AllowedNetworks.Add(new IPNetwork(IPAddress.Loopback, 8));
            options.AllowedNetworks.Add(new IPNetwork(IPAddress.IPv6Loopback, 128));
            return;
        }
        // An empty METRICS_ALLOW means no network: the token is the only way in.
        foreach (var part in allow.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(part, out var network))
                options.AllowedNetworks.Add(network);
            else if (IPAddress.TryParse(part, out var address))
                options.AllowedNetworks.Add(new IPNetwork(address, address.GetAddressBytes().Length * 8));
            else
                options.Invalid.Add(part);
        }
    }
}

public sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        var failures = new List<string>();
        if (options.Invalid.Count > 0)
            failures.Add($"METRICS_ALLOW must list networks such as 10.0.0.0/8 or 192.168.1.5, separated by commas; not: {string.Join(", ", options.Invalid)}.");
        if (options.Token is { Length: < 16 })
            failures.Add("METRICS_TOKEN must be at least 16 characters (e.g. openssl rand -hex 32).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
