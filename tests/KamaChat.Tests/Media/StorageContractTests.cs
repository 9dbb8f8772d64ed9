using System.Net;
using System.Security.Cryptography;
using KamaChat.Server.Infrastructure.Storage;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Media;

/// <summary>
/// What every storage backend promises, run against the real thing: local disk, and S3 on a throwaway S3 server.
/// (Cloudinary runs the same checks live only when CLOUDINARY_* are set: CloudinaryLiveTests.)
/// </summary>
public abstract class StorageContractTests
{
    private readonly string _prefix = $"contract/{Guid.NewGuid():N}/";

    protected abstract Task<IMediaStorage> StorageAsync();

    /// <summary>Whether the backend still keeps bytes for the key anywhere it writes them (its files on disk).</summary>
    protected abstract Task<bool> BytesExistAsync(string key);

    /// <summary>GETs a read URL as a browser would.</summary>
    protected abstract Task<(HttpStatusCode Status, byte[] Body, string? ContentDisposition)> FetchAsync(Uri readUrl);

    /// <summary>What S3 requires of all parts but the last; our backends are configured with this part size.</summary>
    protected const int PartSize = S3StorageOptions.MinimumPartSize;

    private string Key(string name) => _prefix + name;

    [Fact]
    public async Task Bytes_put_with_their_length_come_back_the_same()
    {
        var storage = await StorageAsync();
        var bytes = RandomNumberGenerator.GetBytes(1000);

        var stored = await storage.PutAsync(Key("small.bin"), new MemoryStream(bytes), bytes.Length, "application/octet-stream");

        Assert.Equal(1000, stored);
        await using var read = await storage.GetAsync(Key("small.bin"));
        Assert.NotNull(read);
        Assert.Equal(1000, read.TotalLength);
        Assert.Equal(bytes, await ReadAllAsync(read.Content));
    }

    [Fact]
    public async Task A_stream_of_unknown_length_larger_than_a_part_is_stored_whole()
    {
        var storage = await StorageAsync();
        var bytes = RandomNumberGenerator.GetBytes(2 * PartSize + 12345); // three parts, the last one short

        var stored = await storage.PutAsync(Key("large.bin"), new TricklingStream(bytes), length: null, "video/mp4");

        Assert.Equal(bytes.Length, stored);
        await using var read = await storage.GetAsync(Key("large.bin"));
        Assert.NotNull(read);
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await ReadAllAsync(read.Content)));
    }

    [Fact]
    public async Task A_large_stream_of_known_length_is_stored_whole()
    {
        var storage = await StorageAsync();
        var bytes = RandomNumberGenerator.GetBytes(PartSize + 1);

        await storage.PutAsync(Key("known.bin"), new TricklingStream(bytes), bytes.Length, "application/octet-stream");

        await using var read = await storage.GetAsync(Key("known.bin"));
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await ReadAllAsync(read!.Content)));
    }

    [Theory]
    [InlineData(100, 99)]
    [InlineData(100, 101)]
    [InlineData(PartSize + 10, PartSize + 9)]
    [InlineData(PartSize + 10, PartSize + 11)]
    public async Task A_stream_that_does_not_match_its_declared_length_stores_nothing_and_keeps_the_old_object(int declared, int actual)
    {
        var storage = await StorageAsync();
        var key = Key("replaced.bin");
        var old = RandomNumberGenerator.GetBytes(64);
        await storage.PutAsync(key, new MemoryStream(old), old.Length, "application/octet-stream");

        await Assert.ThrowsAsync<StorageLengthMismatchException>(() =>
            storage.PutAsync(key, new TricklingStream(new byte[actual]), declared, "application/octet-stream"));

        await using var read = await storage.GetAsync(key);
        Assert.Equal(old, await ReadAllAsync(read!.Content));
        var listed = await ListAsync(storage, _prefix);
        Assert.Equal([key], listed.Select(o => o.Key));
    }

    [Fact]
    public async Task Ranges_read_exactly_the_bytes_asked_for()
    {
        var storage = await StorageAsync();
        var bytes = RandomNumberGenerator.GetBytes(5000);
        await storage.PutAsync(Key("ranged.bin"), new MemoryStream(bytes), bytes.Length, "application/octet-stream");

        await AssertRangeAsync(ByteRange.Between(10, 19), 10, 19);
        await AssertRangeAsync(ByteRange.StartingAt(4990), 4990, 4999);
        await AssertRangeAsync(ByteRange.Last(7), 4993, 4999);
        await AssertRangeAsync(ByteRange.Between(4000, 9999), 4000, 4999); // clamped to the end
        await Assert.ThrowsAsync<StorageRangeNotSatisfiableException>(() => storage.GetAsync(Key("ranged.bin"), ByteRange.StartingAt(5000)));

        async Task AssertRangeAsync(ByteRange range, int first, int last)
        {
            await using var read = await storage.GetAsync(Key("ranged.bin"), range);
            Assert.NotNull(read);
            Assert.Equal(5000, read.TotalLength);
            Assert.Equal(last - first + 1, read.Length);
            Assert.Equal(ByteRange.Between(first, last), read.Range);
            Assert.Equal(bytes[first..(last + 1)], await ReadAllAsync(read.Content));
        }
    }

    [Fact]
    public async Task Deleting_removes_the_bytes_from_the_backend()
    {
        var storage = await StorageAsync();
        var key = Key("doomed/original");
        await storage.PutAsync(key, new MemoryStream(new byte[300]), 300, "application/octet-stream");
        Assert.True(await storage.ExistsAsync(key));
        Assert.True(await BytesExistAsync(key));

        await storage.DeleteAsync(key);

        Assert.False(await storage.ExistsAsync(key));
        Assert.Null(await storage.GetAsync(key));
        Assert.False(await BytesExistAsync(key));
        await storage.DeleteAsync(key); // again: nothing to do, no error
    }

    [Fact]
    public async Task Listing_finds_every_object_under_a_prefix_with_its_size()
    {
        var storage = await StorageAsync();
        await storage.PutAsync(Key("a/1/original"), new MemoryStream(new byte[10]), 10, "image/png");
        await storage.PutAsync(Key("a/1/thumb-400.webp"), new MemoryStream(new byte[20]), 20, "image/webp");
        await storage.PutAsync(Key("a/2/original"), new MemoryStream(new byte[30]), 30, "image/png");
        await storage.PutAsync(Key("b/1/original"), new MemoryStream(new byte[40]), 40, "image/png");

        var underA = await ListAsync(storage, Key("a/"));

        Assert.Equal(
            [(Key("a/1/original"), 10L), (Key("a/1/thumb-400.webp"), 20L), (Key("a/2/original"), 30L)],
            underA.Select(o => (o.Key, o.Size)).OrderBy(o => o.Key, StringComparer.Ordinal));
        Assert.Equal(4, (await ListAsync(storage, _prefix)).Count);
    }

    [Fact]
    public async Task A_read_url_serves_the_bytes_and_a_tampered_one_is_refused()
    {
        var storage = await StorageAsync();
        var bytes = RandomNumberGenerator.GetBytes(777);
        await storage.PutAsync(Key("shared.bin"), new MemoryStream(bytes), bytes.Length, "application/octet-stream");
        await storage.PutAsync(Key("secret.bin"), new MemoryStream(new byte[5]), 5, "application/octet-stream");

        var url = storage.GetReadUrl(Key("shared.bin"), TimeSpan.FromMinutes(5));
        var (status, body, _) = await FetchAsync(url);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(bytes, body);

        // Another object's key under the same signature, and a signature with one character changed.
        var otherKey = new Uri(url.OriginalString.Replace("shared.bin", "secret.bin", StringComparison.Ordinal), UriKind.RelativeOrAbsolute);
        Assert.NotEqual(HttpStatusCode.OK, (await FetchAsync(otherKey)).Status);
        Assert.NotEqual(HttpStatusCode.OK, (await FetchAsync(TamperSignature(url))).Status);
    }

    [Fact]
    public async Task A_read_url_can_make_the_response_a_download()
    {
        var storage = await StorageAsync();
        await storage.PutAsync(Key("page.html"), new MemoryStream("<script>alert(1)</script>"u8.ToArray()), 25, "text/html");

        var url = storage.GetReadUrl(Key("page.html"), TimeSpan.FromMinutes(5), new ReadUrlOptions("application/octet-stream", "holiday photo.jpg"));
        var (status, _, disposition) = await FetchAsync(url);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("attachment;", disposition, StringComparison.Ordinal);
        Assert.Contains("filename=\"holiday photo.jpg\"", disposition, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/../../escape")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    [InlineData(".partial/x")]
    [InlineData("a/.hidden")]
    [InlineData("a\\b")]
    [InlineData("a/b/")]
    [InlineData("")]
    [InlineData("naïve")]
    [InlineData("a b")]
    public async Task Keys_that_could_escape_or_mean_two_things_are_refused(string key)
    {
        var storage = await StorageAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => storage.PutAsync(key, new MemoryStream(new byte[1]), 1, "application/octet-stream"));
        await Assert.ThrowsAsync<ArgumentException>(() => storage.GetAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => storage.DeleteAsync(key));
    }

    protected static Uri TamperSignature(Uri url)
    {
        var text = url.OriginalString;
        var at = text.IndexOf("sig", StringComparison.OrdinalIgnoreCase);
        at = text.IndexOf('=', at) + 3;
        var replaced = text[at] == 'A' ? 'B' : 'A';
        return new Uri(text[..at] + replaced + text[(at + 1)..], UriKind.RelativeOrAbsolute);
    }

    protected static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static async Task<List<StoredObjectInfo>> ListAsync(IMediaStorage storage, string prefix)
    {
        var all = new List<StoredObjectInfo>();
        await foreach (var item in storage.ListAsync(prefix))
            all.Add(item);
        return all;
    }

    /// <summary>A non-seekable stream that hands out its bytes in small uneven reads, as a network body does.</summary>
    private sealed class TricklingStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 7001 + (_position % 3000)), bytes.Length - _position);
            bytes.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset));
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

public sealed class LocalDiskStorageTests : StorageContractTests, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kamachat-media-").FullName;
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly MediaUrlSigner _signer;
    private readonly LocalDiskStorage _storage;

    public LocalDiskStorageTests()
    {
        _signer = new MediaUrlSigner(RandomNumberGenerator.GetBytes(32), _time);
        _storage = new LocalDiskStorage(_root, _signer);
    }

    protected override Task<IMediaStorage> StorageAsync() => Task.FromResult<IMediaStorage>(_storage);

    protected override Task<bool> BytesExistAsync(string key) =>
        Task.FromResult(File.Exists(Path.Combine(_root, key)));

    /// <summary>What the media endpoint does with a signed URL: check it, then read the key it names.</summary>
    protected override async Task<(HttpStatusCode, byte[], string?)> FetchAsync(Uri readUrl)
    {
        var full = new Uri(new Uri("http://localhost"), readUrl);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(full.Query);
        string? Value(string name) => query.TryGetValue(name, out var value) ? value.ToString() : null;
        var check = _signer.Verify(Uri.UnescapeDataString(full.AbsolutePath), Value("ex"), Value("sig"), Value("ct"), Value("dl"));
        if (check.Status != MediaUrlStatus.Valid)
            return (check.Status == MediaUrlStatus.Expired ? HttpStatusCode.Gone : HttpStatusCode.Forbidden, [], null);
        await using var read = await _storage.GetAsync(check.Key!);
        if (read is null)
            return (HttpStatusCode.NotFound, [], null);
        var disposition = check.Options?.DownloadFileName is { } name ? ContentDisposition.Attachment(name) : null;
        return (HttpStatusCode.OK, await ReadAllAsync(read.Content), disposition);
    }


    [Fact]
    public async Task A_read_url_stops_working_when_it_expires()
    {
        await _storage.PutAsync("expiring/file", new MemoryStream(new byte[3]), 3, "application/octet-stream");
        var url = _storage.GetReadUrl("expiring/file", TimeSpan.FromMinutes(5));
        Assert.Equal(HttpStatusCode.OK, (await FetchAsync(url)).Item1);

        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(HttpStatusCode.Gone, (await FetchAsync(url)).Item1);
    }

    [Fact]
    public async Task A_failed_write_leaves_no_file_behind_not_even_a_temporary_one()
    {
        await Assert.ThrowsAsync<StorageLengthMismatchException>(() =>
            _storage.PutAsync("failed/file", new MemoryStream(new byte[10]), 11, "application/octet-stream"));

        Assert.Empty(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Deleting_the_last_file_of_a_folder_removes_the_folder()
    {
        await _storage.PutAsync("attachments/77/original", new MemoryStream(new byte[1]), 1, "application/octet-stream");

        await _storage.DeleteAsync("attachments/77/original");

        Assert.False(Directory.Exists(Path.Combine(_root, "attachments")));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

public sealed class S3StorageTests : StorageContractTests
{
    private static readonly HttpClient Http = new();

    protected override async Task<IMediaStorage> StorageAsync() => new S3Storage(new S3StorageOptions
    {
        Bucket = S3TestServer.Bucket,
        Endpoint = await S3TestServer.EndpointAsync(),
        AccessKey = S3TestServer.AccessKey,
        SecretKey = S3TestServer.SecretKey,
        ForcePathStyle = true,
        PartSize = PartSize,
    }, TimeProvider.System);

    protected override async Task<bool> BytesExistAsync(string key) => File.Exists(await S3TestServer.ObjectFileAsync(key));

    protected override async Task<(HttpStatusCode, byte[], string?)> FetchAsync(Uri readUrl)
    {
        using var response = await Http.GetAsync(readUrl);
        var disposition = response.Content.Headers.TryGetValues("Content-Disposition", out var values) ? string.Join(",", values) : null;
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync(), disposition);
    }

    [Fact]
    public async Task The_wrong_secret_is_refused()
    {
        var storage = new S3Storage(new S3StorageOptions
        {
            Bucket = S3TestServer.Bucket,
            Endpoint = await S3TestServer.EndpointAsync(),
            AccessKey = S3TestServer.AccessKey,
            SecretKey = "not-the-secret",
            ForcePathStyle = true,
        }, TimeProvider.System);

        await Assert.ThrowsAsync<StorageException>(() => storage.PutAsync("refused/file", new MemoryStream(new byte[1]), 1, "application/octet-stream"));
    }
}
