using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KamaChat.Server.Infrastructure.Storage;

/// <summary>
/// Short-lived read URLs for media this server serves itself (local disk): an HMAC-SHA256 over the path, the
/// expiry and the response options, like Discord's CDN parameters, so nginx or a CDN can cache the responses and
/// a link pasted elsewhere stops working. The key is derived from JWT_SECRET, which every node shares.
/// </summary>
public sealed class MediaUrlSigner
{
    /// <summary>Where the server answers signed media URLs.</summary>
    public const string BasePath = "/media/";

    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public MediaUrlSigner(byte[] secret, TimeProvider time)
    {
        // A key of its own, so a media signature can never pass for a token signature or the other way round.
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, info: "kamachat media urls"u8.ToArray());
        _time = time;
    }

    /// <summary>A path and query, relative to the server's root: <c>/media/{key}?ex=…&amp;sig=…</c>.</summary>
    public string Sign(string key, TimeSpan lifetime, ReadUrlOptions? options = null)
    {
        StorageKey.Validate(key);
        var expires = (_time.GetUtcNow() + lifetime).ToUnixTimeSeconds();
        var path = BasePath + key;
        var query = new StringBuilder("?ex=").Append(expires.ToString(CultureInfo.InvariantCulture));
        if (options?.ContentType is { } contentType)
            query.Append("&ct=").Append(Uri.EscapeDataString(contentType));
        if (options?.DownloadFileName is { } fileName)
            query.Append("&dl=").Append(Uri.EscapeDataString(fileName));
        query.Append("&sig=").Append(Signature(path, expires, options?.ContentType, options?.DownloadFileName));
        return path + query;
    }

    /// <summary>
    /// Checks a request for a signed URL. <paramref name="path"/> is the request path; the others are the query
    /// values as received (unescaped). Returns the storage key and response options when the signature is right and
    /// not expired.
    /// </summary>
    public MediaUrlCheck Verify(string path, string? expires, string? signature, string? contentType, string? downloadFileName)
    {
        if (!path.StartsWith(BasePath, StringComparison.Ordinal) || !StorageKey.IsValid(path[BasePath.Length..]))
            return MediaUrlCheck.Invalid;
        if (!long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt) || signature is null)
            return MediaUrlCheck.Invalid;
        var expected = Encoding.ASCII.GetBytes(Signature(path, expiresAt, contentType, downloadFileName));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature)))
            return MediaUrlCheck.Invalid;
        if (_time.GetUtcNow().ToUnixTimeSeconds() >= expiresAt)
            return MediaUrlCheck.Expired;
        return new MediaUrlCheck(MediaUrlStatus.Valid, path[BasePath.Length..], new ReadUrlOptions(contentType, downloadFileName));
    }

    private string Signature(string path, long expires, string? contentType, string? downloadFileName)
    {
        // Each field is length-prefixed, so no value can be shifted into its neighbour.
        var payload = string.Create(CultureInfo.InvariantCulture,
            $"{path.Length}:{path}|{expires}|{contentType?.Length ?? -1}:{contentType}|{downloadFileName?.Length ?? -1}:{downloadFileName}");
        return Base64Url(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(payload)));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public enum MediaUrlStatus
{
    Invalid,
    Expired,
    Valid,
}

/// <summary>The outcome of <see cref="MediaUrlSigner.Verify"/>.</summary>
public sealed record MediaUrlCheck(MediaUrlStatus Status, string? Key, ReadUrlOptions? Options)
{
    public static readonly MediaUrlCheck Invalid = new(MediaUrlStatus.Invalid, null, null);
    public static readonly MediaUrlCheck Expired = new(MediaUrlStatus.Expired, null, null);
}
