using System.Globalization;
using System.Text.Json;
using KamaChat.Server.Infrastructure.Storage;

namespace KamaChat.Server.Features.Attachments;

/// <summary>Who started a resumable upload, where, and how long it will be: kept next to its parts until it completes.</summary>
public sealed record ResumableUploadInfo(Snowflake UploaderId, Snowflake ChannelId, long Length, string FileName);

/// <summary>
/// The state of resumable (tus) uploads, kept in storage itself so any node can continue one: an info object and one
/// object per acknowledged PATCH under <c>attachments/{id}/tus/</c>. The offset is where the contiguous parts end; a
/// PATCH whose body did not fully arrive stores nothing (storage writes are all-or-nothing), so the client resumes from
/// the end of the last whole part. Completing concatenates the parts, streamed, into the attachment's original.
/// </summary>
public sealed class ResumableUploadStore(IMediaStorage storage)
{
    private const string InfoName = "info.json";
    private const string PartPrefix = "part-";

    private static string Folder(Snowflake id) => DeleteAttachmentFilesJob.Prefix(id) + "tus/";

    public async Task CreateAsync(Snowflake id, ResumableUploadInfo info, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(info);
        await storage.PutAsync(Folder(id) + InfoName, new MemoryStream(json), json.Length, "application/json", cancellationToken);
    }

    public async Task<ResumableUploadInfo?> FindAsync(Snowflake id, CancellationToken cancellationToken)
    {
        await using var stored = await storage.GetAsync(Folder(id) + InfoName, cancellationToken: cancellationToken);
        return stored is null ? null : await JsonSerializer.DeserializeAsync<ResumableUploadInfo>(stored.Content, cancellationToken: cancellationToken);
    }

    /// <summary>Where the contiguous parts end: the next byte the client must send.</summary>
    public async Task<long> OffsetAsync(Snowflake id, CancellationToken cancellationToken)
    {
        var offset = 0L;
        foreach (var (start, size) in await PartsAsync(id, cancellationToken))
        {
            if (start != offset)
                break;
            offset += size;
        }
        return offset;
    }

    /// <summary>Stores the body as the part at <paramref name="offset"/>; all of it or nothing.</summary>
    public Task<long> AppendAsync(Snowflake id, long offset, Stream body, long? length, CancellationToken cancellationToken) =>
        storage.PutAsync(Folder(id) + PartPrefix + offset.ToString("D13", CultureInfo.InvariantCulture), body, length, "application/octet-stream", cancellationToken);

    /// <summary>Concatenates the parts into <paramref name="key"/> (streamed, part by part), then removes the upload's state.</summary>
    public async Task<long> CompleteAsync(Snowflake id, long length, string key, CancellationToken cancellationToken)
    {
        var parts = (await PartsAsync(id, cancellationToken)).Select(p => Folder(id) + PartPrefix + p.Start.ToString("D13", CultureInfo.InvariantCulture)).ToList();
        await using (var joined = new PartsStream(storage, parts))
            await storage.PutAsync(key, joined, length, "application/octet-stream", cancellationToken);
        await storage.DeletePrefixAsync(Folder(id), cancellationToken);
        return length;
    }

    public Task DeleteAsync(Snowflake id, CancellationToken cancellationToken) => storage.DeletePrefixAsync(DeleteAttachmentFilesJob.Prefix(id), cancellationToken);

    private async Task<List<(long Start, long Size)>> PartsAsync(Snowflake id, CancellationToken cancellationToken)
    {
        var parts = new List<(long, long)>();
        await foreach (var stored in storage.ListAsync(Folder(id) + PartPrefix, cancellationToken))
        {
            if (long.TryParse(stored.Key.AsSpan(stored.Key.LastIndexOf('-') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var start))
                parts.Add((start, stored.Size));
        }
        return [.. parts.OrderBy(p => p.Item1)];
    }

    /// <summary>The parts one after another, each opened only when the previous one is read through.</summary>
    private sealed class PartsStream(IMediaStorage storage, IReadOnlyList<string> keys) : Stream
    {
        private int _next;
        private StoredObject? _current;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                if (_current is null)
                {
                    if (_next == keys.Count)
                        return 0;
                    _current = await storage.GetAsync(keys[_next++], cancellationToken: cancellationToken)
                        ?? throw new IOException($"Part {keys[_next - 1]} of a resumable upload is missing.");
                }
                var read = await _current.Content.ReadAsync(buffer, cancellationToken);
                if (read > 0)
                    return read;
                await _current.DisposeAsync();
                _current = null;
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override async ValueTask DisposeAsync()
        {
            if (_current is not null)
                await _current.DisposeAsync();
            await base.DisposeAsync();
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
