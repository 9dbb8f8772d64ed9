using System.Buffers.Text;
using System.Net.WebSockets;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Bench;

/// <summary>
/// A gateway listener (--client lean) that speaks SignalR's JSON protocol by hand and reads of each frame only what the
/// bench needs: the stamp in a MessageCreated's content, found by its bytes. Its work a message is what the raw broadcast's
/// clients do (read a frame, parse a number), where the SignalR client parses every frame and binds its event, which
/// carries the message as a JSON string: about twice the raw clients' CPU, on the cores the server runs on. It pings, as
/// the SignalR client does, so the server's client timeout does not close it.
/// </summary>
public sealed class LeanListener : IAsyncDisposable
{
    /// <summary>SignalR's JSON handshake and ping frames, as a hand-spoken client sends them (<see cref="StalledClient"/> too).</summary>
    internal static readonly byte[] Handshake = "{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray();

    internal static readonly byte[] Ping = "{\"type\":6}\u001e"u8.ToArray();
    private const byte RecordSeparator = 0x1e;

    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly LatencyRecorder _latency;
    private Task _reading = Task.CompletedTask;
    private Task _pinging = Task.CompletedTask;

    private LeanListener(LatencyRecorder latency) => _latency = latency;

    /// <summary>Connected and past the handshake, as the SignalR client's StartAsync returns.</summary>
    public static async Task<LeanListener> ConnectAsync(Uri baseAddress, string token, LatencyRecorder latency)
    {
        var listener = new LeanListener(latency);
        await listener._socket.ConnectAsync(GatewayAddress.Of(baseAddress, token), CancellationToken.None);
        await listener._socket.SendAsync(Handshake, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        var buffer = new byte[256];
        var answer = await listener._socket.ReceiveAsync(buffer, CancellationToken.None);
        if (answer.Count < 3 || buffer[0] != (byte)'{' || buffer[1] != (byte)'}')
            throw new InvalidOperationException("The gateway refused the handshake: " + System.Text.Encoding.UTF8.GetString(buffer, 0, answer.Count));
        listener._reading = Task.Run(listener.ReadAsync);
        listener._pinging = Task.Run(listener.PingAsync);
        return listener;
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                    Array.Resize(ref buffer, buffer.Length * 2); // Ready can be larger than one buffer
                var received = await _socket.ReceiveAsync(buffer.AsMemory(filled), _stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                    return;
                filled += received.Count;
                if (!received.EndOfMessage)
                    continue;
                foreach (var record in buffer.AsSpan(0, filled).Split(RecordSeparator))
                    Read(buffer.AsSpan(0, filled)[record]);
                filled = 0;
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>A MessageCreated's stamp: its data carries "content" once, as an escaped string of digits.</summary>
    private void Read(ReadOnlySpan<byte> record)
    {
        if (record.IndexOf("\"MessageCreated\""u8) < 0)
            return;
        var at = record.IndexOf("content"u8);
        if (at < 0)
            return;
        var rest = record[(at + "content".Length)..];
        var skip = rest.IndexOfAnyInRange((byte)'0', (byte)'9');
        if (skip is < 0 or > 8)
            return;
        if (Utf8Parser.TryParse(rest[skip..], out long stamp, out _))
            _latency.Record(stamp);
    }

    private async Task PingAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), _stop.Token);
                await _socket.SendAsync(Ping, WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Abort();
        await Task.WhenAll(_reading, _pinging);
        _socket.Dispose();
        _stop.Dispose();
    }
}
