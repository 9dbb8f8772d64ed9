using System.Collections.Concurrent;
using System.Text.Json;
using KamaChat.Server.Features.Gateway;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Infrastructure;

/// <summary>A real SignalR client connected to the in-memory server over WebSockets, recording what it receives.</summary>
public sealed class GatewayClient : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly TaskCompletionSource<ReadyPayload> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly CancellationTokenSource _heartbeat = new();

    public HubConnection Connection { get; }

    public ConcurrentQueue<GatewayEvent> Events { get; } = new();

    public ConcurrentQueue<TypingStarted> Typing { get; } = new();

    public ConcurrentQueue<PresenceUpdated> Presence { get; } = new();

    public ConcurrentQueue<Server.Features.Calls.VoiceState> Voice { get; } = new();

    /// <summary>Profiles that changed ("UserUpdated": a new name or picture of someone this connection shows).</summary>
    public ConcurrentQueue<Server.Features.Messages.UserSummary> Profiles { get; } = new();

    public ConcurrentQueue<Server.Features.Calls.DmCallState> Calls { get; } = new();

    public ConcurrentQueue<Server.Features.Calls.CallSignalReceived> CallSignals { get; } = new();

    /// <summary>Signals from other members of a peer-to-peer voice channel ("VoiceSignal").</summary>
    public ConcurrentQueue<Server.Features.Calls.CallSignalReceived> VoiceSignals { get; } = new();

    /// <summary>Voice calls the server ended for this connection ("VoiceEnded": another device, moved, disconnected).</summary>
    public ConcurrentQueue<Server.Features.Calls.VoiceEnded> VoiceEnded { get; } = new();

    /// <summary>The calls this connection was told it left ("CallLeft": the account joined from another device).</summary>
    public ConcurrentQueue<string> CallsLeft { get; } = new();

    /// <summary>What the connection was told it now sees in a server ("ServerView": after a role or overwrite change).</summary>
    public ConcurrentQueue<ServerViewChanged> Views { get; } = new();

    private GatewayClient(HubConnection connection)
    {
        Connection = connection;
        connection.On<ReadyPayload>("Ready", payload => _ready.TrySetResult(payload));
        connection.On<GatewayEvent>("Event", e => Arrived(() => Events.Enqueue(e)));
        connection.On<TypingStarted>("Typing", t => Arrived(() => Typing.Enqueue(t)));
        connection.On<PresenceUpdated>("Presence", p => Arrived(() => Presence.Enqueue(p)));
        connection.On<Server.Features.Calls.VoiceState>("VoiceState", v => Arrived(() => Voice.Enqueue(v)));
        connection.On<Server.Features.Messages.UserSummary>("UserUpdated", p => Arrived(() => Profiles.Enqueue(p)));
        connection.On<Server.Features.Calls.DmCallState>("CallState", c => Arrived(() => Calls.Enqueue(c)));
        connection.On<Server.Features.Calls.CallSignalReceived>("CallSignal", c => Arrived(() => CallSignals.Enqueue(c)));
        connection.On<Server.Features.Calls.CallSignalReceived>("VoiceSignal", c => Arrived(() => VoiceSignals.Enqueue(c)));
        connection.On<Server.Features.Calls.VoiceEnded>("VoiceEnded", v => Arrived(() => VoiceEnded.Enqueue(v)));
        connection.On<string>("CallLeft", c => Arrived(() => CallsLeft.Enqueue(c)));
        connection.On<ServerViewChanged>(ServerViewChanged.Method, v => Arrived(() => Views.Enqueue(v)));
        connection.Closed += e =>
        {
            _closed.TrySetResult(e);
            return Task.CompletedTask;
        };
    }

    public static async Task<GatewayClient> ConnectAsync(KamaChatApp app, string accessToken, bool messagePack = false)
    {
        var client = new GatewayClient(Build(app, accessToken, messagePack));
        await client.Connection.StartAsync();
        return client;
    }

    /// <summary>A client of a node running as its own process (or anywhere else), at <paramref name="baseAddress"/>.</summary>
    public static async Task<GatewayClient> ConnectAsync(Uri baseAddress, string accessToken)
    {
        var client = new GatewayClient(new HubConnectionBuilder().WithUrl(new Uri(baseAddress, "hubs/gateway"), options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.SkipNegotiation = true;
            options.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
        }).Build());
        await client.Connection.StartAsync();
        return client;
    }

    /// <summary>Calls VoiceHeartbeat every <paramref name="interval"/> from now on, as a client in a voice call does.</summary>
    public void KeepVoiceAlive(TimeSpan interval)
    {
        var stop = _heartbeat.Token;
        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval);
            while (await timer.WaitForNextTickAsync(stop).AsTask().ContinueWith(t => t is { IsCompletedSuccessfully: true, Result: true }, TaskScheduler.Default))
            {
                try
                {
                    await Connection.InvokeAsync("VoiceHeartbeat", stop);
                }
                catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or HubException)
                {
                    // Closing, or the call is over.
                }
            }
        }, CancellationToken.None);
    }

    public static HubConnection Build(KamaChatApp app, string accessToken, bool messagePack = false)
    {
        var server = app.Server;
        var builder = new HubConnectionBuilder().WithUrl(new Uri(server.BaseAddress, "hubs/gateway"), options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.SkipNegotiation = true;
            options.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
            options.WebSocketFactory = async (context, cancellationToken) =>
            {
                var socket = server.CreateWebSocketClient();
                var uri = new UriBuilder(context.Uri) { Query = $"access_token={Uri.EscapeDataString(accessToken)}" }.Uri;
                return await socket.ConnectAsync(uri, cancellationToken);
            };
        });
        if (messagePack)
            builder.AddMessagePackProtocol(options => options.SerializerOptions = MessagePack.MessagePackSerializerOptions.Standard
                .WithResolver(SnowflakeMessagePackFormatter.Resolver));
        return builder.Build();
    }

    public Task<ReadyPayload> ReadyAsync() => _ready.Task.WaitAsync(Patience);

    public Task<Exception?> ClosedAsync(TimeSpan? patience = null) => _closed.Task.WaitAsync(patience ?? Patience);

    /// <summary>Waits until the events received satisfy the condition.</summary>
    public async Task<List<GatewayEvent>> WaitForEventsAsync(Func<List<GatewayEvent>, bool> done, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? Patience);
        while (true)
        {
            var snapshot = Events.ToList();
            if (done(snapshot))
                return snapshot;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"Gateway events did not arrive; got: {string.Join(", ", snapshot.Select(e => $"{e.Type}#{e.Sequence}"))}");
            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    public Task<GatewayEvent> WaitForEventAsync(string type, TimeSpan? patience = null) =>
        WaitForEventsAsync(events => events.Any(e => e.Type == type), patience).ContinueWith(t => t.Result.First(e => e.Type == type), TaskScheduler.Default);

    /// <summary>
    /// Who this connection shows in which voice channel, from the VoiceState signals as they arrived, applied the way a
    /// client must (see <see cref="Server.Features.Calls.VoiceState"/>): a state of an older call than the one shown, or
    /// of a call whose leave was applied, is stale. Whatever order a leave and the next join arrived in, the newest call shows.
    /// </summary>
    public IReadOnlyDictionary<Snowflake, Server.Features.Calls.VoiceState> VoiceShown()
    {
        var shown = new Dictionary<Snowflake, Server.Features.Calls.VoiceState>();
        var ended = new Dictionary<Snowflake, Snowflake>();
        foreach (var state in Voice)
        {
            if (shown.TryGetValue(state.UserId, out var current) && state.CallId < current.CallId ||
                ended.TryGetValue(state.UserId, out var last) && state.CallId <= last)
                continue;
            if (state.ChannelId is null)
            {
                shown.Remove(state.UserId);
                ended[state.UserId] = state.CallId;
            }
            else
            {
                shown[state.UserId] = state;
            }
        }
        return shown;
    }

    /// <summary>Waits for a VoiceState signal that matches.</summary>
    public Task<Server.Features.Calls.VoiceState> WaitForVoiceAsync(Func<Server.Features.Calls.VoiceState, bool> match, TimeSpan? patience = null) =>
        WaitForAsync(Voice, match, patience);

    /// <summary>Waits for a CallState signal that matches.</summary>
    public Task<Server.Features.Calls.DmCallState> WaitForCallAsync(Func<Server.Features.Calls.DmCallState, bool> match, TimeSpan? patience = null) =>
        WaitForAsync(Calls, match, patience);

    /// <summary>Waits until one of the signals received in <paramref name="queue"/> matches.</summary>
    public async Task<T> WaitForAsync<T>(ConcurrentQueue<T> queue, Func<T, bool> match, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? Patience);
        while (true)
        {
            if (queue.FirstOrDefault(match) is { } found)
                return found;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"No such {typeof(T).Name}; got: {string.Join(", ", queue)}");
            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    public async Task WaitForPresenceAsync(Snowflake user, string status, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? Patience);
        while (!Presence.Any(p => p.UserId == user && p.Status == status))
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"No presence {status} for {user}; got: {string.Join(", ", Presence.Select(p => $"{p.UserId}={p.Status}"))}");
            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Gives the server time to deliver anything in flight, for assertions that something did NOT arrive.</summary>
    public static Task SettleAsync() => Task.Delay(TimeSpan.FromMilliseconds(500));

    public static JsonElement Data(GatewayEvent e) => JsonDocument.Parse(e.Data).RootElement;

    private void Arrived(Action record)
    {
        record();
        _arrived.Release();
    }

    private int _disposed;

    /// <summary>Idempotent: a test may close a client early (a socket that goes away) and dispose it again at the end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _heartbeat.CancelAsync();
        await Connection.DisposeAsync();
        _heartbeat.Dispose();
    }
}
