using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace KamaChat.Server.Infrastructure.Http;

/// <summary>
/// Kestrel refuses a path holding <c>%00</c> while it parses the request line, before any middleware could answer: an
/// empty 400 and a closed connection. This connection middleware follows the HTTP/1.x requests on a connection and
/// rewrites <c>%00</c> in a request line's path to <c>%7F</c> (DEL: the same length, and just as much a control
/// character), so the request reaches the app, whose <see cref="RequestTextValidation"/> answers it with a problem like
/// any other, and the connection stays usable.
/// </summary>
public static class PathNulRewriting
{
    public static void UsePathNulRewriting(this ListenOptions listen) => listen.Use(next => async connection =>
    {
        var transport = connection.Transport;
        connection.Transport = new Pipe(new RequestLineRewriter(transport.Input), transport.Output);
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
        }
    });

    private sealed class Pipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}

/// <summary>
/// Reads through to the connection, finding each request line: it skips header blocks line by line and bodies by their
/// Content-Length or chunk sizes, without copying. It stops looking (and passes everything through, leaving Kestrel to
/// judge as before) at anything it cannot follow: an upgrade to WebSocket, HTTP/2, CONNECT, or a malformed request.
/// </summary>
internal sealed class RequestLineRewriter(PipeReader inner) : PipeReader
{
    /// <summary>Longer lines than Kestrel allows are left for Kestrel to refuse.</summary>
    private const int MaxLine = 64 * 1024;

    private enum State
    {
        RequestLine,
        Headers,
        Body,
        ChunkSize,
        ChunkData,
        Trailers,
        PassThrough,
    }

    private State _state = State.RequestLine;
    private ReadOnlySequence<byte> _last;
    private long _lastStart;
    private long _understood;
    private long _remaining;
    private long _contentLength;
    private bool _chunked;
    private bool _upgrade;

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var result = await inner.ReadAsync(cancellationToken);
        Inspect(result.Buffer);
        return result;
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result))
            return false;
        Inspect(result.Buffer);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed)
    {
        Consumed(consumed);
        inner.AdvanceTo(consumed);
    }

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        Consumed(consumed);
        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    private void Consumed(SequencePosition consumed)
    {
        if (_state != State.PassThrough)
            _lastStart += _last.Slice(_last.Start, consumed).Length;
    }

    /// <summary>Walks the bytes not understood yet; a line that is not complete is read again with the next buffer.</summary>
    private void Inspect(ReadOnlySequence<byte> buffer)
    {
        _last = buffer;
        if (_state == State.PassThrough)
            return;
        var offset = _understood - _lastStart;
        if (offset < 0 || offset > buffer.Length)
        {
            _state = State.PassThrough;
            return;
        }
        var reader = new SequenceReader<byte>(buffer.Slice(offset));
        while (_state != State.PassThrough)
        {
            var complete = Step(ref reader);
            // A body is skipped as it arrives; a line only once it is whole (a partial one is not consumed).
            _understood = _lastStart + offset + reader.Consumed;
            if (!complete)
                break;
        }
    }

    private bool Step(ref SequenceReader<byte> reader)
    {
        switch (_state)
        {
            case State.RequestLine:
                if (!TryReadLine(ref reader, out var requestLine))
                    return false;
                if (IsBlank(requestLine))
                    return true; // a stray line break between requests is allowed
                StartRequest(requestLine);
                return true;
            case State.Headers:
                if (!TryReadLine(ref reader, out var header))
                    return false;
                if (IsBlank(header))
                    EndHeaders();
                else
                    ReadHeader(header);
                return true;
            case State.Body or State.ChunkData:
                var skip = Math.Min(_remaining, reader.Remaining);
                reader.Advance(skip);
                _remaining -= skip;
                if (_remaining > 0)
                    return false;
                _state = _state == State.Body ? State.RequestLine : State.ChunkSize;
                return true;
            case State.ChunkSize:
                if (!TryReadLine(ref reader, out var sizeLine))
                    return false;
                ReadChunkSize(sizeLine);
                return true;
            case State.Trailers:
                if (!TryReadLine(ref reader, out var trailer))
                    return false;
                if (IsBlank(trailer))
                    _state = State.RequestLine;
                return true;
            default:
                return false;
        }
    }

    private bool TryReadLine(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> line)
    {
        if (reader.TryReadTo(out line, (byte)'\n'))
            return true;
        if (reader.Remaining > MaxLine)
            _state = State.PassThrough;
        return false;
    }

    private void StartRequest(ReadOnlySequence<byte> line)
    {
        var text = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
        var methodEnd = text.IndexOf((byte)' ');
        if (methodEnd <= 0 || text.StartsWith("PRI "u8) || text.StartsWith("CONNECT "u8))
        {
            _state = State.PassThrough;
            return;
        }
        var pathStart = methodEnd + 1;
        var target = text[pathStart..];
        var pathEnd = target.IndexOfAny((byte)' ', (byte)'?', (byte)'#');
        var path = pathEnd < 0 ? target : target[..pathEnd];
        var searched = 0;
        while (path[searched..].IndexOf("%00"u8) is var at && at >= 0)
        {
            var index = pathStart + searched + at;
            Write(line, index + 1, (byte)'7');
            Write(line, index + 2, (byte)'F');
            searched += at + 3;
        }
        (_contentLength, _chunked, _upgrade, _state) = (0, false, false, State.Headers);
    }

    private void ReadHeader(ReadOnlySequence<byte> line)
    {
        var text = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
        var colon = text.IndexOf((byte)':');
        if (colon <= 0)
        {
            _state = State.PassThrough;
            return;
        }
        var name = text[..colon];
        var value = text[(colon + 1)..].Trim(" \t\r"u8);
        if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
        {
            if (!Utf8Parser.TryParse(value, out long length, out var used) || used != value.Length || length < 0)
                _state = State.PassThrough;
            _contentLength = length;
        }
        else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
        {
            // Kestrel accepts only chunked as the final coding; anything else it refuses, and so do we follow no further.
            if (value.Length >= 7 && Ascii.EqualsIgnoreCase(value[^7..], "chunked"u8))
                _chunked = true;
            else
                _state = State.PassThrough;
        }
        else if (Ascii.EqualsIgnoreCase(name, "Upgrade"u8))
        {
            _upgrade = true;
        }
    }

    private void EndHeaders()
    {
        _remaining = _contentLength;
        _state = _upgrade ? State.PassThrough
            : _chunked ? State.ChunkSize
            : _contentLength > 0 ? State.Body
            : State.RequestLine;
    }

    private void ReadChunkSize(ReadOnlySequence<byte> line)
    {
        var text = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
        var end = text.IndexOfAny((byte)';', (byte)'\r');
        var digits = (end < 0 ? text : text[..end]).Trim(" \t"u8);
        if (digits.Length is 0 or > 15 || !Utf8Parser.TryParse(digits, out long size, out var used, 'x') || used != digits.Length)
        {
            _state = State.PassThrough;
            return;
        }
        (_remaining, _state) = size == 0 ? (0, State.Trailers) : (size + 2, State.ChunkData);
    }

    private static bool IsBlank(ReadOnlySequence<byte> line) => line.Length == 0 || (line.Length == 1 && line.FirstSpan[0] == '\r');

    /// <summary>The bytes are the connection's own buffer, not yet parsed by Kestrel: changing them is changing the request.</summary>
    private static void Write(ReadOnlySequence<byte> line, long index, byte value) =>
        MemoryMarshal.AsMemory(line.Slice(index, 1).First).Span[0] = value;
}
