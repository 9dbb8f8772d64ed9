using System.Globalization;

namespace KamaChat.Server.Infrastructure.Configuration;

/// <summary>
/// A setting that is a whole number within bounds (KAMACHAT_MAX_UPLOAD_MB, KAMACHAT_FFMPEG_CONCURRENCY,
/// KAMACHAT_DB_STARTUP_WAIT_SECONDS, …): unset, the default stands; set to anything else, start-up stops with one line
/// naming it, instead of the default standing in silence where the operator meant another value.
/// </summary>
internal static class WholeNumberSetting
{
    /// <summary>
    /// <paramref name="name"/>'s value when it is a whole number from <paramref name="minimum"/> to
    /// <paramref name="maximum"/>; <paramref name="fallback"/> when it is unset or empty, or when it is not such a number,
    /// which <paramref name="errors"/> then says: "{name} must be {<paramref name="expected"/>} (got '…')."
    /// </summary>
    public static int Read(IConfiguration configuration, string name, int fallback, int minimum, int maximum, string expected, List<string> errors)
    {
        if (configuration[name] is not { Length: > 0 } text)
            return fallback;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum && value <= maximum)
            return value;
        errors.Add($"{name} must be {expected} (got '{text}').");
        return fallback;
    }

    /// <summary><see cref="Read(IConfiguration, string, int, int, int, string, List{string})"/>, the error saying "a whole number from {minimum} to {maximum}".</summary>
    public static int Read(IConfiguration configuration, string name, int fallback, int minimum, int maximum, List<string> errors) =>
        Read(configuration, name, fallback, minimum, maximum,
            string.Create(CultureInfo.InvariantCulture, $"a whole number from {minimum} to {maximum}"), errors);
}
