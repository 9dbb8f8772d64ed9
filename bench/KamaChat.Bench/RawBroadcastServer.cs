using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace KamaChat.Bench;

/// <summary>
/// The baseline: the least a broadcast server on Kestrel can do. HTTP POST in, the body out as one WebSocket text
/// frame to every connected socket (one writer loop per socket, as SignalR has). No auth, no database, no protocol.
/// </summary>
public static class RawBroadcastServer
{
    public static async Task<int> RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.UseWebSockets();
        var sockets = new ConcurrentDictionary<Guid, Channel<byte[]>>();

        app.Map("/ws", async context =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var outbox = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
            var id = Guid.NewGuid();
            sockets[id] = outbox;
            var writer = Task.Run(async () =>
            {
                await foreach (var frame in outbox.Reader.ReadAllAsync())
                    await socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
            });
            var buffer = new byte[1024];
            try
            {
                while (socket.State == WebSocketState.Open && !(await socket.ReceiveAsync(buffer, CancellationToken.None)).CloseStatus.HasValue)
                {
                }
            }
            catch (WebSocketException)
            {
            }
            sockets.TryRemove(id, out _);
            outbox.Writer.TryComplete();
            await writer;
        });
        app.MapPost("/send", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var frame = Encoding.UTF8.GetBytes(await reader.ReadToEndAsync());
            foreach (var outbox in sockets.Values)
                outbox.Writer.TryWrite(frame);
            return Results.Ok();
        });
        app.MapGet("/healthz", () => "ok");
        await app.RunAsync();
        return 0;
    }
}
