using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Janus;

/// <summary>
/// Which Janus carries voice and video: an external one (JANUS_URL), or a local one this server starts and stops
/// itself when the <c>janus</c> binary is installed. Without either, calls run peer to peer.
/// </summary>
public sealed class JanusOptions
{
    /// <summary>
    /// The HTTP APIs of the external Janus instances (JANUS_URL, comma-separated), e.g. http://10.0.0.5:8088/janus.
    /// Each room lives on one of them (<see cref="JanusPlacement"/>); empty without JANUS_URL.
    /// </summary>
    public IReadOnlyList<Uri> Urls { get; set; } = [];

    /// <summary>Janus's <c>api_secret</c> (JANUS_API_SECRET), the same on every instance; every request to the Janus API carries it.</summary>
    public string? ApiSecret { get; set; }

    /// <summary>The VideoRoom plugin's <c>admin_key</c> (JANUS_ADMIN_KEY): without it nobody can create rooms.</summary>
    public string? AdminKey { get; set; }

    /// <summary>Start a local Janus when no JANUS_URL is set and the binary exists (KAMACHAT_LOCAL_JANUS=auto|off).</summary>
    public bool StartLocal { get; set; } = true;

    /// <summary>The binary for the local Janus (KAMACHAT_JANUS_BINARY); by default <c>janus</c> from PATH.</summary>
    public string Binary { get; set; } = "janus";

    /// <summary>UDP ports the local Janus uses for media (KAMACHAT_JANUS_RTP_PORTS, default 20000-20999).</summary>
    public int RtpPortMin { get; set; } = 20000;

    public int RtpPortMax { get; set; } = 20999;

    /// <summary>
    /// The public address of a server behind 1:1 NAT (KAMACHAT_JANUS_PUBLIC_IP, e.g. a cloud VM): the local Janus
    /// announces it in its ICE candidates instead of the private one.
    /// </summary>
    public IPAddress? PublicIp { get; set; }

    /// <summary>Where the local Janus's generated configuration goes.</summary>
    public string ConfigDirectory { get; set; } = Path.Combine("data", "janus");

    public string? Error { get; set; }

    public static void Bind(JanusOptions options, IConfiguration configuration, string dataDirectory)
    {
        options.ConfigDirectory = Path.Combine(dataDirectory, "janus");
        if (configuration["JANUS_URL"] is { Length: > 0 } urls)
        {
            var list = new List<Uri>();
            foreach (var url in urls.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                    options.Error = $"JANUS_URL must be the http(s) URL of Janus's HTTP API, such as http://10.0.0.5:8088/janus, or several separated by commas (got '{url}').";
                else if (list.Any(u => JanusPlacement.Key(u) == JanusPlacement.Key(uri)))
                    options.Error = $"JANUS_URL names {url} twice.";
                else
                    list.Add(uri);
            }
            options.Urls = list;
            if (list.Count == 0 && options.Error is null)
                options.Error = $"JANUS_URL lists no URL (got '{urls}').";
        }
        options.ApiSecret = configuration["JANUS_API_SECRET"] is { Length: > 0 } secret ? secret : null;
        options.AdminKey = configuration["JANUS_ADMIN_KEY"] is { Length: > 0 } key ? key : null;
        switch (configuration["KAMACHAT_LOCAL_JANUS"]?.Trim().ToUpperInvariant())
        {
            case null or "" or "AUTO" or "ON" or "TRUE":
                break;
            case "OFF" or "FALSE":
                options.StartLocal = false;
                break;
            case var other:
                options.Error = $"KAMACHAT_LOCAL_JANUS must be auto or off (got '{other}').";
                break;
        }
        if (configuration["KAMACHAT_JANUS_BINARY"] is { Length: > 0 } binary)
            options.Binary = binary;
        if (configuration["KAMACHAT_JANUS_RTP_PORTS"] is { Length: > 0 } ports)
        {
            var parts = ports.Split('-', StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var min)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var max) && min is >= 1024 and <= 65535 && max >= min + 1 && max <= 65535)
                (options.RtpPortMin, options.RtpPortMax) = (min, max);
            else
                options.Error = $"KAMACHAT_JANUS_RTP_PORTS must be a UDP port range such as 20000-20999 (got '{ports}').";
        }
        if (configuration["KAMACHAT_JANUS_PUBLIC_IP"] is { Length: > 0 } publicIp)
        {
            if (IPAddress.TryParse(publicIp, out var address))
                options.PublicIp = address;
            else
                options.Error = $"KAMACHAT_JANUS_PUBLIC_IP must be an IP address (got '{publicIp}').";
        }
    }
}

internal sealed class JanusOptionsValidator : IValidateOptions<JanusOptions>
{
    public ValidateOptionsResult Validate(string? name, JanusOptions options) =>
        options.Error is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.Error);
}
