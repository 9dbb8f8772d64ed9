using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// A gateway connection spoken by hand (SignalR's JSON protocol over a WebSocket), sending ready-made frames: a flood
/// as an attacker sends it, costing the test process next to nothing, so what a test measures is the server's work.
/// </summary>
public sealed partial class RawGatewaySocket : IDisposable
{
    private const byte RecordSeparator = 0x1e;

    private readonly WebSocket _socket;
    private readonly Queue<byte[]> _frames = new();
    private readonly List<byte> _partial = [];
    private readonly byte[] _buffer = new byte[64 * 1024];
    private bool _closed;
    private HttpMessageInvoker? _invoker;

    private RawGatewaySocket(WebSocket socket) => _socket = socket;

    public bool IsOpen => !_closed && _socket.State == WebSocketState.Open;

    /// <summary>The Ready frame the connection opened with, as sent.</summary>
    public string? Ready { get; private set; }

    /// <summary>A Resume invocation naming these channels (and servers, and the user's own stream), each from sequence 0.</summary>
    public static byte[] ResumeFrame(IEnumerable<string> channelIds, IEnumerable<string>? serverIds = null) => serverIds is null
        ? Frame(new
        {
            type = 1,
            invocationId = "1",
            target = "Resume",
            arguments = new object[] { new { channels = channelIds.ToDictionary(id => id, _ => 0L) } },
        })
        : Frame(new
        {
            type = 1,
            invocationId = "1",
            target = "Resume",
            arguments = new object[] { new { channels = channelIds.ToDictionary(id => id, _ => 0L), servers = serverIds.ToDictionary(id => id, _ => 0L), user = 0L } },
        });

    /// <returns>The open connection once Ready arrived; null when the server refused it.</returns>
    public static async Task<RawGatewaySocket?> OpenAsync(KamaChatApp app, string accessToken)
    {
        var uri = GatewayAddress.Of(app.Server.BaseAddress, accessToken);
        return await HandshakeAsync(new RawGatewaySocket(await app.Server.CreateWebSocketClient().ConnectAsync(uri, CancellationToken.None)));
    }

    /// <summary>
    /// Over a real socket to the node at <paramref name="baseAddress"/> whose receive buffer holds only
    /// <paramref name="receiveBufferSize"/> bytes (<see cref="SmallWindow"/>).
    /// </summary>
    public static async Task<RawGatewaySocket?> OpenAsync(Uri baseAddress, string accessToken, int receiveBufferSize)
    {
        var uri = GatewayAddress.Of(baseAddress, accessToken);
        var invoker = SmallWindow.Invoker(receiveBufferSize);
        var client = new ClientWebSocket();
        await client.ConnectAsync(uri, invoker, CancellationToken.None);
        return await HandshakeAsync(new RawGatewaySocket(client) { _invoker = invoker });
    }

    /// <summary>A SignalR ping: the server hears from the client (and keeps it) while it reads nothing.</summary>
    public Task PingAsync() => SendAsync(Frame(new { type = 6 }), CancellationToken.None);

    private static async Task<RawGatewaySocket?> HandshakeAsync(RawGatewaySocket socket)
    {
        await socket.SendAsync(Frame(new { protocol = "json", version = 1 }), CancellationToken.None);
        while (await socket.ReceiveAsync(CancellationToken.None) is { } frame)
        {
            using var document = JsonDocument.Parse(frame);
            var root = document.RootElement;
            if (!root.TryGetProperty("type", out var type))
            {
                if (root.TryGetProperty("error", out _))
                    break; // the handshake was refused
                continue; // the handshake was accepted
            }
            if (type.GetInt32() == 7)
                break; // Close: refused after the handshake
            if (type.GetInt32() == 1 && root.GetProperty("target").GetString() == "Ready")
            {
                socket.Ready = Encoding.UTF8.GetString(frame);
                return socket;
            }
        }
        socket.Dispose();
        return null;
    }

    /// <summary>Sends one invocation and waits for its completion.</summary>
    /// <returns>"answered", or the stable code the refusal starts with.</returns>
    public async Task<string> InvokeAsync(byte[] invocation, CancellationToken cancellationToken)
    {
        await SendAsync(invocation, cancellationToken);
        while (await ReceiveAsync(cancellationToken) is { } frame)
        {
            using var document = JsonDocument.Parse(frame);
            var type = document.RootElement.GetProperty("type").GetInt32();
            if (type == 7)
                break;
            if (type != 3)
                continue; // events, pings
            return document.RootElement.TryGetProperty("error", out var error)
                ? ErrorCode().Match(error.GetString() ?? "").Groups[1].Value
                : "answered";
        }
        _closed = true;
        throw new IOException("The server closed the connection.");
    }

    /// <summary>Sends a ready-made frame without waiting for anything.</summary>
    public Task SendFrameAsync(byte[] frame) => SendAsync(frame, CancellationToken.None);

    /// <summary>Every frame the server sends, as its text, until it closes the connection or <paramref name="cancellationToken"/> fires.</summary>
    public async Task<List<string>> FramesUntilAsync(CancellationToken cancellationToken)
    {
        var frames = new List<string>();
        try
        {
            while (await ReceiveAsync(cancellationToken) is { } frame)
                frames.Add(Encoding.UTF8.GetString(frame));
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // the test has heard enough (a cancelled receive aborts the socket, however the client reports it)
        }
        return frames;
    }

    /// <summary>Reads until the server closes the connection: the type and id of each Event it sent meanwhile, in order.</summary>
    public async Task<List<(string Type, string Id)>> EventsUntilClosedAsync(CancellationToken cancellationToken)
    {
        var events = new List<(string, string)>();
        while (await ReceiveAsync(cancellationToken) is { } frame)
        {
            using var document = JsonDocument.Parse(frame);
            var root = document.RootElement;
            if (root.GetProperty("type").GetInt32() == 1 && root.GetProperty("target").GetString() == "Event")
            {
                var data = root.GetProperty("arguments")[0];
                events.Add((data.GetProperty("type").GetString()!, data.GetProperty("id").GetString()!));
            }
        }
        return events;
    }

    private static byte[] Frame(object message) => [.. JsonSerializer.SerializeToUtf8Bytes(message), RecordSeparator];

    private Task SendAsync(byte[] frame, CancellationToken cancellationToken) =>
        _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    /// <returns>The next whole frame (without its separator), or null once the socket is closed.</returns>
    private async Task<byte[]?> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (_frames.Count == 0)
        {
            var received = await _socket.ReceiveAsync(_buffer, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                _closed = true;
                return null;
            }
            foreach (var b in _buffer.AsSpan(0, received.Count))
            {
                if (b != RecordSeparator)
                {
                    _partial.Add(b);
                    continue;
                }
                _frames.Enqueue([.. _partial]);
                _partial.Clear();
            }
        }
        return _frames.Dequeue();
    }

    [GeneratedRegex(@"HubException: (\w+):")]
    private static partial Regex ErrorCode();

    public void Dispose()
    {
        _closed = true;
        _socket.Abort();
        _socket.Dispose();
        _invoker?.Dispose();
    }
}
