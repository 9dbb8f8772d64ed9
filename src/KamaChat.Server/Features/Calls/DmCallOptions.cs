using System.Globalization;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Calls;

/// <summary>How long a DM call rings before it counts as missed (KAMACHAT_CALL_RING_SECONDS, 1 to 300, default 30).</summary>
public sealed class DmCallOptions
{
    public TimeSpan RingTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public string? Error { get; set; }

    public static void Bind(DmCallOptions options, IConfiguration configuration)
    {
        if (configuration["KAMACHAT_CALL_RING_SECONDS"] is not { Length: > 0 } text)
            return;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 1 and <= 300)
            options.RingTimeout = TimeSpan.FromSeconds(seconds);
        else
            options.Error = $"KAMACHAT_CALL_RING_SECONDS must be whole seconds from 1 to 300 (got '{text}').";
    }
}

internal sealed class DmCallOptionsValidator : IValidateOptions<DmCallOptions>
{
    public ValidateOptionsResult Validate(string? name, DmCallOptions options) =>
        options.Error is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.Error);
}
