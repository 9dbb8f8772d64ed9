namespace KamaChat.Server.Infrastructure.Configuration;

/// <summary>
/// A setting that is true or false (KAMACHAT_MIGRATE, KAMACHAT_API_DOCS, REQUIRE_EMAIL_VERIFICATION), or on or off for
/// those the README documents so (KAMACHAT_CACHE, KAMACHAT_DB_PREPARE): unset, the default stands; set to anything else
/// ("no", "0", "disabled"), start-up stops with one line naming it, as <see cref="WholeNumberSetting"/> does for numbers,
/// instead of the default standing where the operator meant the other.
/// </summary>
internal static class BooleanSetting
{
    /// <summary>
    /// <paramref name="name"/>'s value when it is <c>true</c> or <c>false</c> (any case); <paramref name="fallback"/> when
    /// it is unset or empty, or when it is neither, which <paramref name="errors"/> then says.
    /// </summary>
    public static bool Read(IConfiguration configuration, string name, bool fallback, List<string> errors) =>
        Read(configuration, name, fallback, "true", "false", errors);

    /// <summary><see cref="Read(IConfiguration, string, bool, List{string})"/> for a setting written <c>on</c> or <c>off</c> (any case).</summary>
    public static bool ReadOnOff(IConfiguration configuration, string name, bool fallback, List<string> errors) =>
        Read(configuration, name, fallback, "on", "off", errors);

    private static bool Read(IConfiguration configuration, string name, bool fallback, string on, string off, List<string> errors)
    {
        if (configuration[name] is not { Length: > 0 } text)
            return fallback;
        if (text.Trim().Equals(on, StringComparison.OrdinalIgnoreCase))
            return true;
        if (text.Trim().Equals(off, StringComparison.OrdinalIgnoreCase))
            return false;
        errors.Add($"{name} must be {on} or {off} (got '{text}').");
        return fallback;
    }
}
