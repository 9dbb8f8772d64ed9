using System.Threading.Channels;
using KamaChat.Server.Features.Events;
using Microsoft.AspNetCore.SignalR;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// Delivers committed events to this node's connections, in commit order. Before delivering an event that changes
/// who may see what (joins, kicks, role and overwrite changes, DMs opened), it moves the affected local connections
/// into their new groups, so a kicked member gets nothing after the kick and a newly allowed channel starts arriving
/// without a reconnect. Its sends return once each connection has the event written or queued
/// (<see cref="GatewayLifetimeManager"/>): a client that stops reading holds up nobody else.
/// </summary>
public sealed class EventDispatcher(
    IHubContext<GatewayHub> hub,
    GatewayLifetimeManager lifetime,
    ConnectionRegistry connections,
    IServiceScopeFactory scopes,
    Infrastructure.Caching.CacheInvalidation cacheInvalidation,
    GatewayMetrics metrics,
    ILogger<EventDispatcher> logger) : BackgroundService, IEventSubscriber
{
    private readonly Channel<(EventLogEntry Entry, EventPath Path, long AcceptedAt)> _queue =
        Channel.CreateUnbounded<(EventLogEntry, EventPath, long)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly RecentIds _delivered = new(capacity: 100_000);

    /// <summary>Events from this node's commits.</summary>
    public void OnCommitted(IReadOnlyList<EventLogEntry> events) => Accept(events, EventPath.Local);

    /// <summary>Events from this node's commits, and (when scaled out) from other nodes.</summary>
    public void Accept(IReadOnlyList<EventLogEntry> events, EventPath path)
    {
        // First what the node caches: for its own commits this runs before the writing request answers, so the
        // writer's next request reads the change; for other nodes' before anything here acts on the event.
        cacheInvalidation.Apply(events);
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        // The first arrival of an event is queued, later ones (the poll re-reading it, Redis after the poll) are dropped
        // here: the queue is in arrival order, so this is the arrival that would have been delivered anyway.
        foreach (var entry in events)
            if (_delivered.Add(entry.Id))
                _queue.Writer.TryWrite((entry, path, now));
    }

    /// <summary>Whether this event already reached this node (its own commit, Redis, an earlier poll): the poll need not read it again.</summary>
    public bool HasSeen(Snowflake eventId) => _delivered.Contains(eventId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (entry, path, acceptedAt) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await DispatchAsync(entry, path, acceptedAt, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Clients detect the gap by sequence and resume from the log; the dispatcher keeps going.
                logger.LogError(e, "Dispatching event {EventId} ({Type}) failed", entry.Id, entry.Type);
            }
        }
    }

    private async Task DispatchAsync(EventLogEntry entry, EventPath path, long acceptedAt, CancellationToken cancellationToken)
    {
        var startedAt = metrics.Dequeued(acceptedAt);

        // A name this server does not define (an older or newer node's event) is delivered without side effects.
        var type = EventCatalog.Find(entry.Type);
        if (type is not null && type.Is<IChangesServerVisibility>() && !type.Is<IChangesMemberships>() && entry.Type != Servers.ServerDeleted.Type)
            await RefreshServerGroupsAsync(entry, AffectedUsers(entry, type), cancellationToken);
        else if (type is not null)
            foreach (var userId in AffectedUsers(entry, type))
                await RefreshGroupsAsync(userId, cancellationToken);

        var message = ToGatewayEvent(entry);
        if (ChannelRedaction.ChannelOf(entry) is { } channelId)
            SendAboutChannel(message, channelId);
        else
            await hub.Clients.Group(GatewayGroups.For(entry.Scope, entry.ScopeId)).SendAsync("Event", message, cancellationToken);
        metrics.Delivered(entry, path, startedAt);

        // Closed once the event above (and what was waiting before it) is written: a backlogged connection closed at once
        // would lose them, and its client would not learn that its session ended.
        if (type?.EndedSession(entry.Payload) is { } sessionId)
            foreach (var connection in connections.OfUser(entry.ScopeId).Where(c => c.SessionId == sessionId))
                lifetime.CloseAfterSent(connection.ConnectionId);
    }

    /// <summary>
    /// A server event describing a channel: as it is to the server's connections that are in the channel's group (their
    /// groups were just re-synced, as every such event changes visibility), redacted to the others. Split per connection
    /// by the group memberships that decide what else they receive, from the lifetime manager's group index: the server's
    /// connections are visited, not every connection on the node.
    /// </summary>
    private void SendAboutChannel(GatewayEvent message, Snowflake channelId) =>
        lifetime.SendGroupSplit(GatewayGroups.Server(message.ScopeId), GatewayGroups.Channel(channelId), "Event",
            [message], [ChannelRedaction.Hidden(message, channelId)]);

    public static GatewayEvent ToGatewayEvent(EventLogEntry entry) => new(
        entry.Id,
        entry.Type,
        entry.Scope.ToString().ToLowerInvariant(),
        entry.ScopeId,
        entry.Sequence,
        entry.Payload);

    private HashSet<Snowflake> AffectedUsers(EventLogEntry entry, EventType type)
    {
        if (type.Is<IChangesMemberships>())
            return [entry.ScopeId];

        string? group = type switch
        {
            _ when type.Is<IChangesServerVisibility>() => GatewayGroups.Server(entry.ScopeId),
            _ when type.Is<IChangesChannelRecipients>() => GatewayGroups.Channel(entry.ScopeId),
            _ => null,
        };
        if (group is null)
            return [];
        // The group's connections from the lifetime manager's index, not every connection on the node.
        var users = lifetime.ConnectionsIn(group).Select(connections.Find).OfType<GatewayConnection>().Select(c => c.UserId).ToHashSet();
        if (type.AffectedUser(entry.Payload) is { } subject)
            users.Add(subject);
        return users;
    }

    /// <summary>
    /// After a change inside one server (a role, an overwrite, a channel, a member's roles): re-groups the affected
    /// connections for that server only, all users in one batch of queries, and leaves their other servers and DMs as
    /// they are. A server of 50,000 members with 5,000 connected here costs a handful of queries, not 5,000 snapshots.
    /// A deleted server drops everything of it, so that one goes through the full refresh instead.
    /// </summary>
    private async Task RefreshServerGroupsAsync(EventLogEntry entry, HashSet<Snowflake> users, CancellationToken cancellationToken)
    {
        var local = users.Where(user => connections.OfUser(user).Count > 0).ToList();
        if (local.Count == 0)
            return;
        var serverId = entry.ScopeId;
        await using var scope = scopes.CreateAsyncScope();
        var view = await scope.ServiceProvider.GetRequiredService<Permissions.PermissionService>()
            .VisibleChannelsOfMembersAsync(serverId, local, cancellationToken);
        var serverGroup = GatewayGroups.Server(serverId);
        var within = view.ChannelIds.Select(GatewayGroups.Channel).Append(serverGroup).ToHashSet(StringComparer.Ordinal);
        // A deleted channel is no longer among the server's: its group is left by name.
        if (entry.Type == Channels.ChannelDeleted.Type)
            within.Add(GatewayGroups.Channel(System.Text.Json.JsonSerializer.Deserialize<Channels.ChannelDeletedData>(entry.Payload, EventLog.PayloadJson)!.Id));
        var voice = scope.ServiceProvider.GetRequiredService<Calls.VoiceChannels>();
        var mesh = scope.ServiceProvider.GetRequiredService<Calls.VoiceMesh>();
        var viewsFor = ViewsFor(entry);
        foreach (var userId in local)
        {
            var desired = view.VisibleByUser.TryGetValue(userId, out var visible)
                ? visible.Select(v => GatewayGroups.Channel(v.Channel.Id)).Append(serverGroup).ToHashSet(StringComparer.Ordinal)
                : [];
            var channels = visible is not null && viewsFor is not null && (viewsFor == Everyone || viewsFor == userId) ? ReadyChannel.Of(visible) : null;
            var fingerprint = channels is null ? default : ServerViewChanged.Fingerprint(channels);
            foreach (var connection in connections.OfUser(userId))
            {
                await GatewayGroups.SyncWithinAsync(hub, connections, connection, desired, within, cancellationToken);
                // After the groups, before the event: the client has its new channels and permissions when the event (and
                // what follows in a channel just made visible) arrives, without asking for a fresh Ready.
                if (channels is not null && connection.NoteView(serverId, fingerprint))
                    await hub.Clients.Client(connection.ConnectionId)
                        .SendAsync(ServerViewChanged.Method, new ServerViewChanged(serverId, entry.Sequence, channels), cancellationToken);
            }
            // Both return at once for the (many) users who are not in a call.
            await voice.RecheckAsync(userId, cancellationToken);
            await mesh.RecheckAsync(userId, cancellationToken);
        }
    }

    private static readonly Snowflake Everyone = new(0);

    /// <summary>
    /// Whose view (<see cref="ServerViewChanged"/>) an event may change: a role's or a channel's permissions, anyone's in
    /// the server (<see cref="Everyone"/>); a member's roles, that member's only; anything else (a channel created or
    /// deleted, which its own event describes; a role created, which nobody holds yet), nobody's (null).
    /// </summary>
    private static Snowflake? ViewsFor(EventLogEntry entry)
    {
        if (entry.Type == Servers.RoleUpdated.Type || entry.Type == Servers.RoleDeleted.Type || entry.Type == Channels.ChannelUpdated.Type)
            return Everyone;
        return entry.Type == Servers.MemberUpdated.Type ? EventCatalog.Find(entry.Type)?.AffectedUser(entry.Payload) : null;
    }

    private async Task RefreshGroupsAsync(Snowflake userId, CancellationToken cancellationToken)
    {
        var mine = connections.OfUser(userId);
        if (mine.Count == 0)
            return;
        await using var scope = scopes.CreateAsyncScope();
        var desired = await scope.ServiceProvider.GetRequiredService<GatewayGroups>().DesiredForAsync(userId, cancellationToken);
        foreach (var connection in mine)
            await GatewayGroups.SyncAsync(hub, connections, connection, desired, cancellationToken);
        await scope.ServiceProvider.GetRequiredService<Calls.VoiceChannels>().RecheckAsync(userId, cancellationToken);
        await scope.ServiceProvider.GetRequiredService<Calls.VoiceMesh>().RecheckAsync(userId, cancellationToken);
        await scope.ServiceProvider.GetRequiredService<Calls.DmCalls>().RecheckAsync(userId, desired);
    }
}

/// <summary>A bounded set of recently seen ids: an event can arrive twice (local commit and from another node, or a re-poll).</summary>
internal sealed class RecentIds(int capacity)
{
    private readonly HashSet<Snowflake> _set = [];
    private readonly Queue<Snowflake> _order = new();
    private readonly Lock _gate = new();

    public bool Contains(Snowflake id)
    {
        lock (_gate)
            return _set.Contains(id);
    }

    public bool Add(Snowflake id)
    {
        lock (_gate)
        {
            if (!_set.Add(id))
                return false;
            _order.Enqueue(id);
            if (_order.Count > capacity)
                _set.Remove(_order.Dequeue());
            return true;
        }
    }
}
