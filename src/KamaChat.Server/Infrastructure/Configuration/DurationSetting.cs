using System.Globalization;

namespace KamaChat.Server.Infrastructure.Configuration;

/// <summary>
/// A setting that is a length of time written <c>hh:mm:ss</c> or <c>d.hh:mm:ss</c> (KAMACHAT_ACCESS_TOKEN_LIFETIME, …),
/// within bounds: unset, the default stands; set to anything else, start-up stops with one line naming it, as
/// <see cref="WholeNumberSetting"/> does for numbers. A bare number is refused rather than read as TimeSpan reads it,
/// as days: "15" meant as minutes would otherwise make a token live fifteen days.
/// </summary>
internal static class DurationSetting
{
    public static TimeSpan Read(IConfiguration configuration, string name, TimeSpan fallback, TimeSpan minimum, TimeSpan maximum, List<string> errors)
    {
        if (configuration[name] is not { Length: > 0 } text)
            return fallback;
        // "c" is [-][d.]hh:mm:ss[.fffffff] but also takes a bare day count; two colons keep it to the documented form.
        if (text.Count(c => c == ':') == 2 && TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var value)
            && value >= minimum && value <= maximum)
            return value;
        errors.Add(string.Create(CultureInfo.InvariantCulture,
            $"{name} must be a time as hh:mm:ss or d.hh:mm:ss from {minimum:c} to {maximum:c} (got '{text}')."));
        return fallback;
    }
}
