using System.Globalization;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Calls;

/// <summary>
/// The STUN and TURN servers clients use to reach each other and Janus. TURN credentials follow the TURN REST API
/// scheme coturn implements with <c>use-auth-secret</c>: the server and coturn share TURN_SECRET.
/// </summary>
public sealed class TurnOptions
{
    /// <summary>TURN_URLS, comma-separated: turn:turn.example.com:3478, turns:turn.example.com:5349?transport=tcp, ...</summary>
    public IReadOnlyList<string> TurnUrls { get; set; } = [];

    /// <summary>TURN_SECRET: coturn's static-auth-secret.</summary>
    public string? Secret { get; set; }

    /// <summary>STUN_URLS, comma-separated: stun:stun.example.com:3478, ...</summary>
    public IReadOnlyList<string> StunUrls { get; set; } = [];

    /// <summary>
    /// How long a credential works (TURN_CREDENTIAL_TTL_SECONDS, default a day). coturn checks it on every refresh of
    /// an allocation too, so it must outlast the longest call.
    /// </summary>
    public TimeSpan CredentialLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// TURN_RELAY_ONLY=true: DM calls go through TURN only (ICE transport policy "relay"), so callers never learn each
    /// other's IP addresses. Needs TURN_URLS.
    /// </summary>
    public bool RelayOnly { get; set; }

    public string? Error { get; set; }

    public static void Bind(TurnOptions options, IConfiguration configuration)
    {
        options.TurnUrls = List(configuration["TURN_URLS"]);
        options.StunUrls = List(configuration["STUN_URLS"]);
        options.Secret = configuration["TURN_SECRET"] is { Length: > 0 } secret ? secret : null;
        if (configuration["TURN_RELAY_ONLY"] is { Length: > 0 } relayOnly)
        {
            if (bool.TryParse(relayOnly, out var relay))
                options.RelayOnly = relay;
            else
                options.Error = $"TURN_RELAY_ONLY must be true or false (got '{relayOnly}').";
        }
        if (configuration["TURN_CREDENTIAL_TTL_SECONDS"] is { Length: > 0 } ttl)
        {
            if (int.TryParse(ttl, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 60 and <= 7 * 24 * 3600)
                options.CredentialLifetime = TimeSpan.FromSeconds(seconds);
            else
                options.Error = $"TURN_CREDENTIAL_TTL_SECONDS must be whole seconds from 60 to 604800 (got '{ttl}').";
        }
    }

    private static string[] List(string? value) =>
        value?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
}

internal sealed class TurnOptionsValidator : IValidateOptions<TurnOptions>
{
    public ValidateOptionsResult Validate(string? name, TurnOptions options)
    {
        if (options.Error is not null)
            return ValidateOptionsResult.Fail(options.Error);
        if (options.TurnUrls.FirstOrDefault(u => !u.StartsWith("turn:", StringComparison.Ordinal) && !u.StartsWith("turns:", StringComparison.Ordinal)) is { } turn)
            return ValidateOptionsResult.Fail($"TURN_URLS must be turn: or turns: URLs separated by commas, such as turn:turn.example.com:3478 (got '{turn}').");
        if (options.StunUrls.FirstOrDefault(u => !u.StartsWith("stun:", StringComparison.Ordinal) && !u.StartsWith("stuns:", StringComparison.Ordinal)) is { } stun)
            return ValidateOptionsResult.Fail($"STUN_URLS must be stun: URLs separated by commas, such as stun:turn.example.com:3478 (got '{stun}').");
        if (options.TurnUrls.Count > 0 && options.Secret is null)
            return ValidateOptionsResult.Fail("TURN_URLS is set but TURN_SECRET is not: set it to coturn's static-auth-secret.");
        if (options.RelayOnly && options.TurnUrls.Count == 0)
            return ValidateOptionsResult.Fail("TURN_RELAY_ONLY is true but TURN_URLS is not set: calls relayed only through TURN need a TURN server.");
        return ValidateOptionsResult.Success;
    }
}
