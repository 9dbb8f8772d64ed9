namespace KamaChat.Server.Infrastructure.Configuration;

/// <summary>
/// A setting that is true or false (KAMACHAT_MIGRATE, KAMACHAT_API_DOCS, REQUIRE_EMAIL_VERIFICATION): unset, the default
/// stands; set to anything else ("no", "off", "0"), start-up stops with one line naming it, as
/// <see cref="WholeNumberSetting"/> does for numbers, instead of the default standing where the operator meant the other.
/// </summary>
internal static class BooleanSetting
{
    /// <summary>
    /// <paramref name="name"/>'s value when it is <c>true</c> or <c>false</c> (any case); <paramref name="fallback"/> when
    /// it is unset or empty, or when it is neither, which <paramref name="errors"/> then says.
    /// </summary>
    public static bool Read(IConfiguration configuration, string name, bool fallback, List<string> errors)
    {
        if (configuration[name] is not { Length: > 0 } text)
            return fallback;
        if (bool.TryParse(text, out var value))
            return value;
        errors.Add($"{name} must be true or false (got '{text}').");
        return fallback;
    }
}
