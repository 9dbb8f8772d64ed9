using System.Security.Cryptography;
using System.Text;
using KamaChat.Server.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Configuration;

/// <summary>Signing key and lifetimes for access and refresh tokens.</summary>
public sealed class JwtOptions : ISettingErrors
{
    public const int MinimumSecretBytes = 32;

    public byte[] SigningKey { get; set; } = [];

    /// <summary>Set when JWT_SECRET was missing or short in production; start-up reports it.</summary>
    public string? Error { get; set; }

    public string Issuer { get; set; } = "kamachat";

    public string Audience { get; set; } = "kamachat";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long past its expiry an access token is still accepted, for clocks that disagree a little.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public List<string> Errors { get; } = [];

    public static void Bind(JwtOptions options, IConfiguration configuration, IHostEnvironment environment, ServerOptions server)
    {
        var secret = configuration["JWT_SECRET"];
        if (!string.IsNullOrEmpty(secret))
        {
            options.SigningKey = Encoding.UTF8.GetBytes(secret);
            if (options.SigningKey.Length < MinimumSecretBytes)
                options.Error = $"JWT_SECRET is {options.SigningKey.Length} bytes; set it to at least {MinimumSecretBytes} random bytes (for example: openssl rand -base64 48).";
            else if (environment.IsProduction() && SecretStrength.LooksGuessable(secret))
                options.Error = "JWT_SECRET looks guessable (a repeated pattern or too few different characters); "
                    + $"set it to at least {MinimumSecretBytes} random bytes (for example: openssl rand -base64 48).";
        }
        else if (environment.IsProduction())
        {
            options.Error = $"JWT_SECRET is not set; in production set it to at least {MinimumSecretBytes} random bytes (for example: openssl rand -base64 48).";
        }
        else
        {
            // Development and tests: one key generated on first start and kept, so tokens survive restarts.
            options.SigningKey = LoadOrCreateDevelopmentKey(Path.Combine(server.DataDirectory, "jwt-secret"));
        }

        // The bounds keep out what no deployment means: an access token living for weeks (a stolen one is then good for
        // weeks), one that never lives, and a time past the end of the calendar (a 500 on sign-in). An access token of a
        // second is allowed: the browser test of a token expiring mid-session runs with one.
        options.AccessTokenLifetime = DurationSetting.Read(configuration, "KAMACHAT_ACCESS_TOKEN_LIFETIME", options.AccessTokenLifetime,
            TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), options.Errors);
        options.RefreshTokenLifetime = DurationSetting.Read(configuration, "KAMACHAT_REFRESH_TOKEN_LIFETIME", options.RefreshTokenLifetime,
            TimeSpan.FromMinutes(5), TimeSpan.FromDays(365), options.Errors);
        options.ClockSkew = DurationSetting.Read(configuration, "KAMACHAT_TOKEN_CLOCK_SKEW", options.ClockSkew,
            TimeSpan.Zero, TimeSpan.FromMinutes(10), options.Errors);
    }

    /// <summary>
    /// The key is a secret: the file is readable by its owner only, and appears whole (two nodes or processes starting
    /// together agree on the one that was written first).
    /// </summary>
    internal static byte[] LoadOrCreateDevelopmentKey(string path)
    {
        if (!File.Exists(path))
            AtomicFile.TryCreate(path, Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(48))), AtomicFile.OwnerOnly);
        else if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~AtomicFile.OwnerOnly) != 0)
            // Written by an older version with the default mode.
            File.SetUnixFileMode(path, AtomicFile.OwnerOnly);
        return Convert.FromBase64String(File.ReadAllText(path).Trim());
    }
}

/// <summary>Catches the obviously weak secrets (aaaa…, a word repeated, a short pattern): not a strength meter.</summary>
internal static class SecretStrength
{
    /// <summary>Bits of Shannon entropy over the characters used, times the length: a random 32-byte base64 string has ~190.</summary>
    private const double MinimumBits = 100;

    public static bool LooksGuessable(string secret)
    {
        if (secret.Distinct().Count() < 8 || RepeatsAShortPattern(secret))
            return true;
        var bitsPerCharacter = secret.GroupBy(c => c)
            .Select(g => (double)g.Count() / secret.Length)
            .Sum(p => -p * Math.Log2(p));
        return bitsPerCharacter * secret.Length < MinimumBits;
    }

    /// <summary>Whether the secret is some shorter piece repeated (the last copy may be cut short).</summary>
    private static bool RepeatsAShortPattern(string secret)
    {
        for (var period = 1; period <= secret.Length / 2; period++)
        {
            var repeats = true;
            for (var i = period; i < secret.Length && repeats; i++)
                repeats = secret[i] == secret[i - period];
            if (repeats)
                return true;
        }
        return false;
    }
}

internal sealed class JwtOptionsValidator : IValidateOptions<JwtOptions>
{
    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        List<string> failures = [.. options.Errors];
        if (options.Error is not null)
            failures.Insert(0, options.Error);
        if (options.RefreshTokenLifetime <= options.AccessTokenLifetime)
            failures.Add("KAMACHAT_REFRESH_TOKEN_LIFETIME must be longer than KAMACHAT_ACCESS_TOKEN_LIFETIME.");
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
