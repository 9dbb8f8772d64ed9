using System.Net;
using System.Net.Sockets;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// A loopback TCP proxy whose <see cref="CutAsync"/> drops every connection through it at once, the way the
/// network sees a process that crashed: no goodbye, no acknowledgements, nothing waited for. A proxy given
/// <c>clientToServer</c> forwards what clients send through it (to read it on the way, see <see cref="PostgresWireCounter"/>).
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly Func<Socket, Socket, Task> _clientToServer;
    private readonly List<Socket> _sockets = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public TcpProxy(int targetPort, Func<Socket, Socket, Task>? clientToServer = null)
    {
        _targetPort = targetPort;
        _clientToServer = clientToServer ?? PumpAsync;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                lock (_sockets)
                    _sockets.AddRange([client, upstream]);
                _ = _clientToServer(client, upstream);
                _ = PumpAsync(upstream, client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Cut or disposed.
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                    break;
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The other side is gone.
        }
    }

    /// <summary>Stops accepting and resets every open connection.</summary>
    public async Task CutAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.LingerState = new LingerOption(true, 0); // RST, not FIN
                socket.Close();
            }
            _sockets.Clear();
        }
        await _accepting;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
            await CutAsync();
        _stop.Dispose();
    }
}
