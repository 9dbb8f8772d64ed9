using System.Buffers;

namespace KamaChat.Server.Infrastructure.Storage;

internal static class StreamCopy
{
    /// <summary>What one write to storage holds: a request body arrives in pieces of a few KiB, a disk prefers larger writes.</summary>
    public const int BufferBytes = 256 * 1024;

    /// <summary>
    /// Copies to the end of <paramref name="source"/>, enforcing a declared length, with one pooled buffer filled before
    /// each write (so a destination without a buffer of its own gets writes of <see cref="BufferBytes"/>).
    /// </summary>
    public static async Task<long> CopyAsync(Stream source, Stream destination, long? length, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            long total = 0;
            int read;
            while ((read = await FillAsync(source, buffer.AsMemory(0, BufferBytes), cancellationToken)) > 0)
            {
                total += read;
                if (total > length)
                    throw new StorageLengthMismatchException(length.Value, total);
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
            if (length is { } expected && total != expected)
                throw new StorageLengthMismatchException(expected, total);
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Fails when more than the declared length has come, or, at the end, not exactly it.</summary>
    public static void CheckLength(long? length, long total, bool final)
    {
        if (length is { } expected && (total > expected || (final && total != expected)))
            throw new StorageLengthMismatchException(expected, total);
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
    public static async Task<int> FillAsync(Stream source, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await source.ReadAsync(buffer[filled..], cancellationToken);
            if (read == 0)
                break;
            filled += read;
        }
        return filled;
    }
}

/// <summary>A read-only window of at most <c>length</c> bytes over another stream, from its current position.</summary>
internal sealed class BoundedStream(Stream inner, long length) : Stream
{
    private readonly long _length = length;
    private long _remaining = length;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _length - _remaining;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0)
            return 0;
        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining <= 0)
            return 0;
        var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken);
        _remaining -= read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
