using System.Buffers;
using System.Text;

namespace KamaChat.Desktop.Browser;

/// <summary>
/// Chromium's <c>--remote-debugging-pipe</c>: it reads commands from its fd 3 and writes replies and events to
/// its fd 4, each message JSON ended by a NUL byte. Only the process holding the pipe's other ends can talk to it.
/// </summary>
public sealed class PipeTransport(Stream toBrowser, Stream fromBrowser) : ICdpTransport
{
    private readonly ArrayBufferWriter<byte> _buffer = new();
    private readonly byte[] _chunk = new byte[64 * 1024];
    private int _scanned;

    public async Task SendAsync(string message, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(message + '\0');
        await toBrowser.WriteAsync(bytes, cancellationToken);
        await toBrowser.FlushAsync(cancellationToken);
    }

    public async Task<string?> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var end = _buffer.WrittenSpan[_scanned..].IndexOf((byte)0);
            if (end >= 0)
            {
                end += _scanned;
                var text = Encoding.UTF8.GetString(_buffer.WrittenSpan[..end]);
                var rest = _buffer.WrittenSpan[(end + 1)..].ToArray();
                _buffer.ResetWrittenCount();
                _buffer.Write(rest);
                _scanned = 0;
                return text;
            }
            _scanned = _buffer.WrittenCount;
            var read = await fromBrowser.ReadAsync(_chunk, cancellationToken);
            if (read == 0)
                return null;
            _buffer.Write(_chunk.AsSpan(0, read));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await toBrowser.DisposeAsync();
        await fromBrowser.DisposeAsync();
    }
}
