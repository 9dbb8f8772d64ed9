using System.Globalization;
using System.Text.Json;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// A short-lived signal for the connections in some groups, on every node: typing and presence; or, with
/// <see cref="ConnectionId"/> (and no groups), for one connection on whichever node holds it: call signalling.
/// </summary>
public sealed record GatewaySignal(string Method, string[] Groups, JsonElement Payload, string? ExceptConnectionId = null, string? ConnectionId = null)
{
    /// <summary>A signal for one connection, wherever it is (a node that does not hold it delivers nothing).</summary>
    public static GatewaySignal To(string connectionId, string method, JsonElement payload) => new(method, [], payload, ConnectionId: connectionId);

    public Task SendLocallyAsync(IHubContext<GatewayHub> hub, CancellationToken cancellationToken) =>
        (ConnectionId, ExceptConnectionId) switch
        {
            ({ } target, _) => hub.Clients.Client(target).SendAsync(Method, Payload, cancellationToken),
            (null, null) => hub.Clients.Groups(Groups).SendAsync(Method, Payload, cancellationToken),
            (null, { } except) => Task.WhenAll(Groups.Select(g => hub.Clients.GroupExcept(g, [except]).SendAsync(Method, Payload, cancellationToken))),
        };
}

/// <summary>
/// Carries what one node knows to the others. Logged events go to every node so each can deliver them to its own
/// connections at once (the event log tailer is the safety net when a message here is lost); signals go to the
/// group's connections wherever they are. With one node it is just local delivery.
/// </summary>
public interface IGatewayFanout
{
    void PublishEvents(IReadOnlyList<EventLogEntry> events);

    Task SendSignalAsync(GatewaySignal signal, CancellationToken cancellationToken);
}

/// <summary>One node: everything is already here.</summary>
public sealed class LocalFanout(IHubContext<GatewayHub> hub) : IGatewayFanout
{
    public void PublishEvents(IReadOnlyList<EventLogEntry> events)
    {
    }

    public Task SendSignalAsync(GatewaySignal signal, CancellationToken cancellationToken) => signal.SendLocallyAsync(hub, cancellationToken);
}

/// <summary>
/// Several nodes: Redis pub/sub. Deliberately not SignalR's Redis backplane: that would send each group message
/// to every node's connections, while here each node manages and delivers to its own connections from the log,
/// which is what makes delivery exactly-once across node deaths. Redis only shortens the path.
/// </summary>
public sealed class RedisFanout : IGatewayFanout, IHostedService
{
    private const string EventsChannel = "kamachat:events";
    private const string SignalsChannel = "kamachat:signals";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IConnectionMultiplexer _redis;
    private readonly IHubContext<GatewayHub> _hub;
    private readonly IServiceProvider _services;
    private readonly ILogger<RedisFanout> _logger;
    private readonly string _origin;

    public RedisFanout(IConnectionMultiplexer redis, IHubContext<GatewayHub> hub, IServiceProvider services, IOptions<ServerOptions> server, ILogger<RedisFanout> logger)
    {
        (_redis, _hub, _services, _logger) = (redis, hub, services, logger);
        _origin = $"{server.Value.NodeId}:{Guid.NewGuid():N}";
    }

    private sealed record Envelope(string Origin, IReadOnlyList<EventLogEntry>? Events, GatewaySignal? Signal);

    public void PublishEvents(IReadOnlyList<EventLogEntry> events)
    {
        if (events.Count == 0)
            return;
        var message = JsonSerializer.Serialize(new Envelope(_origin, events, null), Json);
        _redis.GetSubscriber().Publish(RedisChannel.Literal(EventsChannel), message, CommandFlags.FireAndForget);
    }

    public async Task SendSignalAsync(GatewaySignal signal, CancellationToken cancellationToken)
    {
        await signal.SendLocallyAsync(_hub, cancellationToken);
        var message = JsonSerializer.Serialize(new Envelope(_origin, null, signal), Json);
        await _redis.GetSubscriber().PublishAsync(RedisChannel.Literal(SignalsChannel), message);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var subscriber = _redis.GetSubscriber();
        var dispatcher = _services.GetRequiredService<EventDispatcher>();
        (await subscriber.SubscribeAsync(RedisChannel.Literal(EventsChannel))).OnMessage(message =>
        {
            var envelope = Read(message.Message);
            if (envelope?.Events is { } events && envelope.Origin != _origin)
                dispatcher.Accept(events, EventPath.Fanout);
        });
        (await subscriber.SubscribeAsync(RedisChannel.Literal(SignalsChannel))).OnMessage(async message =>
        {
            var envelope = Read(message.Message);
            if (envelope?.Signal is not { } signal || envelope.Origin == _origin)
                return;
            // A profile change is a signal, not a logged event: the cached summary goes when it arrives (and at the
            // summary's short lifetime when it does not).
            if (signal.Method == Users.ProfileBroadcast.Method && signal.Payload.TryGetProperty("id", out var id) &&
                Snowflake.TryParse(id.GetString(), null, out var userId))
                _services.GetRequiredService<Infrastructure.Caching.KamaCache>().Invalidate([Infrastructure.Caching.CacheTags.User(userId)]);
            await signal.SendLocallyAsync(_hub, CancellationToken.None);
        });
    }

    public Task StopAsync(CancellationToken cancellationToken) => _redis.GetSubscriber().UnsubscribeAllAsync();

    private Envelope? Read(RedisValue value)
    {
        try
        {
            return JsonSerializer.Deserialize<Envelope>((string)value!, Json);
        }
        catch (JsonException e)
        {
            _logger.LogWarning(e, "Ignoring an unreadable gateway message from Redis");
            return null;
        }
    }
}

/// <summary>Hands this node's committed events to the other nodes.</summary>
public sealed class FanoutSubscriber(IGatewayFanout fanout) : IEventSubscriber
{
    public void OnCommitted(IReadOnlyList<EventLogEntry> events) => fanout.PublishEvents(events);
}

public static class RedisConfiguration
{
    /// <summary>The node's one connection to Redis, shared by the gateway and the rate limits (whichever registers it first).</summary>
    public static void AddConnection(IServiceCollection services, string url) =>
        services.TryAddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(Parse(url)));

    /// <summary>REDIS_URL as redis://[user:password@]host:port[/db] or a StackExchange.Redis configuration string.</summary>
    public static ConfigurationOptions Parse(string url)
    {
        if (!url.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) && !url.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
            return ConfigurationOptions.Parse(url);
        var uri = new Uri(url);
        var options = new ConfigurationOptions { Ssl = uri.Scheme == "rediss", AbortOnConnectFail = false };
        options.EndPoints.Add(uri.Host, uri.Port > 0 ? uri.Port : 6379);
        var credentials = uri.UserInfo.Split(':', 2);
        if (credentials.Length == 2)
        {
            options.User = credentials[0].Length > 0 ? Uri.UnescapeDataString(credentials[0]) : null;
            options.Password = Uri.UnescapeDataString(credentials[1]);
        }
        else if (credentials[0].Length > 0)
        {
            options.Password = Uri.UnescapeDataString(credentials[0]);
        }
        if (int.TryParse(uri.AbsolutePath.Trim('/'), NumberStyles.None, CultureInfo.InvariantCulture, out var database))
            options.DefaultDatabase = database;
        return options;
    }
}
