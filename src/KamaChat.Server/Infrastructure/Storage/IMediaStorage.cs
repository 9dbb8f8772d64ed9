namespace KamaChat.Server.Infrastructure.Storage;

/// <summary>
/// Where media bytes live: local disk (default), an S3-compatible bucket or Cloudinary, chosen by configuration.
/// Keys are validated by <see cref="StorageKey"/> in every backend. Writes stream (never whole in memory) and are
/// all-or-nothing: a failed or short write leaves no object behind and does not replace an existing one.
/// </summary>
public interface IMediaStorage
{
    /// <summary>"local", "s3" or "cloudinary", for logs and health reports.</summary>
    string Backend { get; }

    /// <summary>
    /// Stores everything <paramref name="content"/> yields under <paramref name="key"/>, replacing any object there.
    /// With a known <paramref name="length"/>, a stream that yields another number of bytes fails
    /// (<see cref="StorageLengthMismatchException"/>) and nothing is stored.
    /// </summary>
    /// <returns>The number of bytes stored.</returns>
    Task<long> PutAsync(string key, Stream content, long? length, string contentType, CancellationToken cancellationToken = default);

    /// <summary>The object's bytes (or the <paramref name="range"/> of them), or null when there is no such object.</summary>
    /// <exception cref="StorageRangeNotSatisfiableException">The range starts past the end of the object.</exception>
    Task<StoredObject?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Removes the object for good; nothing happens when it is not there.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Every object whose key starts with <paramref name="prefix"/> (for the orphan sweep), in no particular order.</summary>
    IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// A URL from which a browser can read the object until <paramref name="lifetime"/> has passed, and not after.
    /// Local disk gives a path on this server signed with <see cref="MediaUrlSigner"/> (relative to PUBLIC_URL);
    /// S3 a presigned GET; Cloudinary a signed, expiring download URL.
    /// </summary>
    Uri GetReadUrl(string key, TimeSpan lifetime, ReadUrlOptions? options = null);
}

/// <summary>What a read URL's response should say about the bytes.</summary>
/// <param name="ContentType">Content-Type of the response (S3 and local disk honour it).</param>
/// <param name="DownloadFileName">When set, the response is a download (Content-Disposition: attachment) under this name.</param>
public sealed record ReadUrlOptions(string? ContentType = null, string? DownloadFileName = null);

/// <summary>An object's bytes as read from storage. Dispose it to release the file or connection.</summary>
public sealed class StoredObject(Stream content, long length, long totalLength, string contentType, ByteRange? range, IDisposable? owner = null)
    : IAsyncDisposable, IDisposable
{
    /// <summary>The bytes: the whole object, or the range asked for.</summary>
    public Stream Content { get; } = content;

    /// <summary>How many bytes <see cref="Content"/> yields.</summary>
    public long Length { get; } = length;

    /// <summary>The size of the whole object.</summary>
    public long TotalLength { get; } = totalLength;

    public string ContentType { get; } = contentType;

    /// <summary>The range served, resolved to absolute offsets (inclusive); null for the whole object.</summary>
    public ByteRange? Range { get; } = range;

    public async ValueTask DisposeAsync()
    {
        await Content.DisposeAsync();
        owner?.Dispose();
    }

    public void Dispose()
    {
        Content.Dispose();
        owner?.Dispose();
    }
}

/// <summary>One object in a listing.</summary>
public sealed record StoredObjectInfo(string Key, long Size, DateTimeOffset LastModified);

/// <summary>The stream yielded another number of bytes than the length the caller declared; nothing was stored.</summary>
public sealed class StorageLengthMismatchException(long expected, long actual)
    : IOException($"Expected {expected} bytes but the stream had {(actual > expected ? "more" : actual.ToString(System.Globalization.CultureInfo.InvariantCulture))}; nothing was stored.")
{
    public long Expected { get; } = expected;
}

/// <summary>The requested range starts past the end of the object (HTTP 416).</summary>
public sealed class StorageRangeNotSatisfiableException(long totalLength)
    : IOException($"The range starts past the end of the object ({totalLength} bytes).")
{
    public long TotalLength { get; } = totalLength;
}

/// <summary>The backend failed in a way the caller cannot fix by retrying with other input (bad credentials, missing bucket).</summary>
public sealed class StorageException(string message, Exception? inner = null) : IOException(message, inner);
