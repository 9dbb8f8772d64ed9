using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KamaChat.Server.Infrastructure.Storage;

public enum CloudinarySignatureAlgorithm
{
    Sha1,
    Sha256,
}

/// <summary>
/// Cloudinary's request and URL signatures, as its documentation and its official SDKs compute them (checked
/// against the Node SDK in the tests; the .NET SDK is not obtainable here).
/// </summary>
public static class CloudinarySigner
{
    /// <summary>Parameters that travel with a request but are never part of its signature.</summary>
    private static readonly HashSet<string> Unsigned = new(StringComparer.Ordinal) { "file", "cloud_name", "resource_type", "api_key", "signature" };

    /// <summary>
    /// The string to sign: every parameter but <c>file</c>, <c>cloud_name</c>, <c>resource_type</c> and <c>api_key</c>, with
    /// empty ones dropped, sorted by name, arrays joined with commas, as <c>name=value</c> joined by <c>&amp;</c>. As in the
    /// SDKs' signature version 2, a '&amp;' inside a value is written %26, so no value can smuggle in another parameter.
    /// </summary>
    public static string StringToSign(IEnumerable<KeyValuePair<string, object?>> parameters) =>
        string.Join('&', parameters
            .Where(p => !Unsigned.Contains(p.Key))
            .Select(p => (p.Key, Value: Format(p.Value)))
            .Where(p => p.Value is { Length: > 0 })
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}".Replace("&", "%26", StringComparison.Ordinal)));

    /// <summary>The request signature: the hex digest of the string to sign followed by the API secret.</summary>
    public static string Sign(IEnumerable<KeyValuePair<string, object?>> parameters, string apiSecret, CloudinarySignatureAlgorithm algorithm)
    {
        var bytes = Encoding.UTF8.GetBytes(StringToSign(parameters) + apiSecret);
#pragma warning disable CA5350 // SHA-1 is what Cloudinary accepts by default; SHA-256 is one setting away (CLOUDINARY_SIGNATURE_ALGORITHM).
        var hash = algorithm == CloudinarySignatureAlgorithm.Sha256 ? SHA256.HashData(bytes) : SHA1.HashData(bytes);
#pragma warning restore CA5350
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// The <c>s--…--</c> component of a signed delivery URL (needed for <c>authenticated</c> assets): SHA-256 of the
    /// path after it plus the secret, URL-safe base64, 32 characters (the SDKs' long URL signature).
    /// </summary>
    public static string DeliverySignature(string pathToSign, string apiSecret)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(pathToSign + apiSecret));
        return "s--" + Convert.ToBase64String(hash)[..32].Replace('/', '_').Replace('+', '-') + "--";
    }

    /// <summary>A value as the SDKs write it: arrays comma-joined, booleans lower case, numbers invariant.</summary>
    public static string? Format(object? value) => value switch
    {
        null => null,
        string text => text,
        bool flag => flag ? "true" : "false",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable<string> items => string.Join(',', items),
        System.Collections.IEnumerable items => string.Join(',', items.Cast<object?>().Select(Format)),
        _ => value.ToString(),
    };
}
