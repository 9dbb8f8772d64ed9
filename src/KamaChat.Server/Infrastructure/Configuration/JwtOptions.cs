using System.Security.Cryptography;
using System.Text;
using KamaChat.Server.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Configuration;

/// <summary>Signing key and lifetimes for access and refresh tokens.</summary>
public sealed class JwtOptions
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

        if (TimeSpan.TryParse(configuration["KAMACHAT_ACCESS_TOKEN_LIFETIME"], System.Globalization.CultureInfo.InvariantCulture, out var access))
            options.AccessTokenLifetime = access;
        if (TimeSpan.TryParse(configuration["KAMACHAT_REFRESH_TOKEN_LIFETIME"], System.Globalization.CultureInfo.InvariantCulture, out var refresh))
            options.RefreshTokenLifetime = refresh;
        if (TimeSpan.TryParse(configuration["KAMACHAT_TOKEN_CLOCK_SKEW"], System.Globalization.CultureInfo.InvariantCulture, out var skew))
            options.ClockSkew = skew;
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
        if (options.Error is not null)
            return ValidateOptionsResult.Fail(options.Error);
        if (options.AccessTokenLifetime <= TimeSpan.Zero || options.RefreshTokenLifetime <= options.AccessTokenLifetime)
            return ValidateOptionsResult.Fail("Token lifetimes must be positive, and the refresh lifetime longer than the access lifetime.");
        if (options.ClockSkew < TimeSpan.Zero)
            return ValidateOptionsResult.Fail("KAMACHAT_TOKEN_CLOCK_SKEW must not be negative.");
        return ValidateOptionsResult.Success;
    }
}
