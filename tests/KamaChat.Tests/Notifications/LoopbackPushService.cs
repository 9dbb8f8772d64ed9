using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KamaChat.Tests.Notifications;

/// <summary>One request a push service received: where, its headers, and the encrypted body.</summary>
public sealed record ReceivedPush(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>
/// A push service on a loopback port, standing in for the browsers' (none is reachable here): it takes what the server
/// posts and answers 201 Created, or 404 under /missing/ and 410 under /gone/, as real ones do for dead subscriptions.
/// </summary>
public sealed class LoopbackPushService : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SemaphoreSlim _arrived = new(0);

    public ConcurrentQueue<ReceivedPush> Received { get; } = new();

    public Uri BaseAddress { get; }

    private LoopbackPushService(WebApplication app)
    {
        _app = app;
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
    }

    public static async Task<LoopbackPushService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        LoopbackPushService? service = null;
        app.MapPost("/{**path}", async (HttpContext http, string path) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            service!.Received.Enqueue(new ReceivedPush("/" + path, headers, body.ToArray()));
            service._arrived.Release();
            return path.StartsWith("gone/", StringComparison.Ordinal) ? Results.StatusCode(StatusCodes.Status410Gone)
                : path.StartsWith("missing/", StringComparison.Ordinal) ? Results.NotFound()
                : Results.Created();
        });
        await app.StartAsync();
        return service = new LoopbackPushService(app);
    }

    public string Endpoint(string path) => new Uri(BaseAddress, path).AbsoluteUri;

    /// <summary>The next push posted to this path (waiting for it), skipping others.</summary>
    public async Task<ReceivedPush> NextAsync(string path, TimeSpan? patience = null)
    {
        using var timeout = new CancellationTokenSource(patience ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var match = Received.FirstOrDefault(r => r.Path == path && !_taken.ContainsKey(r));
            if (match is not null && _taken.TryAdd(match, true))
                return match;
            await _arrived.WaitAsync(timeout.Token);
        }
    }

    private readonly ConcurrentDictionary<ReceivedPush, bool> _taken = new();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
