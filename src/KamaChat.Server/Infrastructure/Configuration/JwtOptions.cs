using System.Security.Cryptography;
using System.Text;
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

    public static void Bind(JwtOptions options, IConfiguration configuration, IHostEnvironment environment, ServerOptions server)
    {
        var secret = configuration["JWT_SECRET"];
        if (!string.IsNullOrEmpty(secret))
        {
            options.SigningKey = Encoding.UTF8.GetBytes(secret);
            if (options.SigningKey.Length < MinimumSecretBytes)
                options.Error = $"JWT_SECRET is {options.SigningKey.Length} bytes; set it to at least {MinimumSecretBytes} random bytes (for example: openssl rand -base64 48).";
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
    }

    private static byte[] LoadOrCreateDevelopmentKey(string path)
    {
        if (File.Exists(path))
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var key = RandomNumberGenerator.GetBytes(48);
        File.WriteAllText(path, Convert.ToBase64String(key));
        return key;
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
        return ValidateOptionsResult.Success;
    }
}
