using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Notifications.Push;

/// <summary>
/// Web Push: the VAPID key pair that identifies this server to browsers' push services, and who to contact about it.
/// The keys come from KAMACHAT_VAPID_PUBLIC_KEY / KAMACHAT_VAPID_PRIVATE_KEY (every node of a cluster needs the same
/// pair), or are generated at first start and kept in the data directory, readable by the owner only, like the
/// development JWT key. Changing them invalidates every browser's subscription.
/// </summary>
public sealed class PushOptions
{
    /// <summary>The P-256 public key, uncompressed (65 bytes), base64url: what browsers subscribe with.</summary>
    public string PublicKey { get; set; } = "";

    /// <summary>The private scalar (32 bytes), base64url.</summary>
    public string PrivateKey { get; set; } = "";

    /// <summary>
    /// A mailto: or https: address push services can reach the operator at (KAMACHAT_VAPID_SUBJECT; default PUBLIC_URL
    /// when it is https, else mailto:postmaster@ its host).
    /// </summary>
    public string Subject { get; set; } = "";

    /// <summary>Accept http:// push endpoints (KAMACHAT_PUSH_ALLOW_HTTP): only for tests with a loopback push service; real ones are https.</summary>
    public bool AllowHttpEndpoints { get; set; }

    public string? Error { get; set; }

    public static void Bind(PushOptions options, IConfiguration configuration, ServerOptions server)
    {
        options.Subject = configuration["KAMACHAT_VAPID_SUBJECT"] is { Length: > 0 } subject ? subject
            : server.PublicUrl.Scheme == Uri.UriSchemeHttps ? server.PublicUrl.AbsoluteUri.TrimEnd('/')
            : $"mailto:postmaster@{server.PublicUrl.Host}";
        var errors = new List<string>();
        options.AllowHttpEndpoints = BooleanSetting.Read(configuration, "KAMACHAT_PUSH_ALLOW_HTTP", options.AllowHttpEndpoints, errors);
        var (publicKey, privateKey) = (configuration["KAMACHAT_VAPID_PUBLIC_KEY"], configuration["KAMACHAT_VAPID_PRIVATE_KEY"]);
        if (string.IsNullOrEmpty(publicKey) != string.IsNullOrEmpty(privateKey))
            errors.Add("Set both KAMACHAT_VAPID_PUBLIC_KEY and KAMACHAT_VAPID_PRIVATE_KEY, or neither (a pair is then generated in the data directory).");
        else if (!string.IsNullOrEmpty(publicKey))
            (options.PublicKey, options.PrivateKey) = (publicKey, privateKey!);
        else
            (options.PublicKey, options.PrivateKey) = LoadOrCreateKeys(Path.Combine(server.DataDirectory, "vapid-keys.json"));
        options.Error = errors.Count == 0 ? null : string.Join(" ", errors);
    }

    /// <summary>Generated once; two processes starting together agree on the file written first.</summary>
    internal static (string PublicKey, string PrivateKey) LoadOrCreateKeys(string path)
    {
        if (!File.Exists(path))
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var (publicKey, privateKey) = Export(key);
            AtomicFile.TryCreate(path, JsonSerializer.SerializeToUtf8Bytes(new StoredKeys(publicKey, privateKey)), AtomicFile.OwnerOnly);
        }
        else if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~AtomicFile.OwnerOnly) != 0)
        {
            File.SetUnixFileMode(path, AtomicFile.OwnerOnly);
        }
        var stored = JsonSerializer.Deserialize<StoredKeys>(File.ReadAllBytes(path))
            ?? throw new InvalidOperationException($"{path} does not hold a VAPID key pair.");
        return (stored.PublicKey, stored.PrivateKey);
    }

    internal static (string PublicKey, string PrivateKey) Export(ECDsa key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: true);
        return (Base64Url.EncodeToString([0x04, .. parameters.Q.X!, .. parameters.Q.Y!]), Base64Url.EncodeToString(parameters.D!));
    }

    private sealed record StoredKeys(string PublicKey, string PrivateKey);
}

internal sealed class PushOptionsValidator : IValidateOptions<PushOptions>
{
    public ValidateOptionsResult Validate(string? name, PushOptions options)
    {
        if (options.Error is not null)
            return ValidateOptionsResult.Fail(options.Error);
        try
        {
            var publicKey = Base64Url.DecodeFromChars(options.PublicKey);
            var privateKey = Base64Url.DecodeFromChars(options.PrivateKey);
            if (publicKey.Length != 65 || publicKey[0] != 0x04 || privateKey.Length != 32)
                return ValidateOptionsResult.Fail("The VAPID public key must be an uncompressed P-256 point (65 bytes) and the private key 32 bytes, both base64url.");
        }
        catch (FormatException)
        {
            return ValidateOptionsResult.Fail("The VAPID keys must be base64url.");
        }
        // Push services (and the library) refuse anything else.
        return options.Subject.StartsWith("mailto:", StringComparison.Ordinal) || options.Subject.StartsWith("https://", StringComparison.Ordinal)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("KAMACHAT_VAPID_SUBJECT must be a mailto: or https: address.");
    }
}
