using System.Net.WebSockets;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Bench;

/// <summary>
/// A gateway client that stops reading after its handshake, as a frozen tab or a dead mobile link does, and connects
/// again whenever the server closes it (as a real client retries). It pings, so only its reading stops: the server's
/// client timeout does not close it for silence.
/// </summary>
public sealed class StalledClient : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _connects;

    public StalledClient(Uri baseAddress, string token) => _loop = Task.Run(() => RunAsync(baseAddress, token));

    /// <summary>How many times it connected: each after the first is one the server closed.</summary>
    public int Connects => Volatile.Read(ref _connects);

    private async Task RunAsync(Uri baseAddress, string token)
    {
        var uri = GatewayAddress.Of(baseAddress, token);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                // A receive buffer of 1 KiB: the server's side fills within a couple of megabytes.
                using var invoker = SmallWindow.Invoker(1024);
                using var socket = new ClientWebSocket();
                await socket.ConnectAsync(uri, invoker, _stop.Token);
                await socket.SendAsync(LeanListener.Handshake, WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
                Interlocked.Increment(ref _connects);
                while (true)
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), _stop.Token);
                    await socket.SendAsync(LeanListener.Ping, WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is WebSocketException or IOException or HttpRequestException)
            {
                // Closed by the server: connect again.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
