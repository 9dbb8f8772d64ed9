using System.Globalization;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Calls;

/// <summary>
/// How long a voice state outlives the last sign that its call is alive (KAMACHAT_VOICE_LEASE_SECONDS, 2 to 300,
/// default 6): the client's heartbeat for its connection, the node's renewal for its calls in Redis. A third of it is
/// the heartbeat and renewal period.
/// </summary>
public sealed class VoiceOptions
{
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(6);

    public TimeSpan Heartbeat => Lease / 3;

    public string? Error { get; set; }

    public static void Bind(VoiceOptions options, IConfiguration configuration)
    {
        if (configuration["KAMACHAT_VOICE_LEASE_SECONDS"] is not { Length: > 0 } text)
            return;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 2 and <= 300)
            options.Lease = TimeSpan.FromSeconds(seconds);
        else
            options.Error = $"KAMACHAT_VOICE_LEASE_SECONDS must be whole seconds from 2 to 300 (got '{text}').";
    }
}

internal sealed class VoiceOptionsValidator : IValidateOptions<VoiceOptions>
{
    public ValidateOptionsResult Validate(string? name, VoiceOptions options) =>
        options.Error is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.Error);
}
