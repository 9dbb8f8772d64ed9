using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// SignalR's in-memory lifetime manager with one change: a send never waits for a connection's socket. SignalR's own
/// group send awaits the write to every connection in the group, and a write waits while the connection's pipe is full
/// (64 KiB: a client that stopped reading, a frozen tab, a dead mobile link not yet timed out), until the transport's
/// send timeout closes it. The dispatcher delivers events one after another, so that one client held up every other
/// client on the node for up to that timeout. Here each connection has an <see cref="Outbox"/>: a message is written at
/// once when the connection is idle (as SignalR does), and queued behind its earlier messages when a write of it is
/// still pending, so each connection still gets its messages in the order they were sent.
/// </summary>
/// <remarks>
/// Group membership is kept here (group to outboxes, and each outbox's groups for its disconnect), as SignalR's is private;
/// a connection's set of groups is the one <see cref="GatewayConnection.Groups"/> reads (<see cref="GroupsOf"/>), not a copy.
/// Serialization stays once per send, as in SignalR: one <see cref="SerializedHubMessage"/> shared by the connections.
/// </remarks>
public sealed class GatewayLifetimeManager(
    ILogger<DefaultHubLifetimeManager<GatewayHub>> baseLogger,
    IOptions<GatewayOptions> options,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<GatewayLifetimeManager> logger) : DefaultHubLifetimeManager<GatewayHub>(baseLogger)
{
    private readonly ConcurrentDictionary<string, Outbox> _outboxes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GroupMembers> _groups = new(StringComparer.Ordinal);
    private readonly int _outboxLimit = options.Value.OutboxLimit;
    private readonly TimeSpan _closeGrace = options.Value.SendTimeout;
    private readonly TimeProvider _time = time;

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        _outboxes[connection.ConnectionId] = new Outbox(connection, this);
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        if (_outboxes.TryRemove(connection.ConnectionId, out var outbox))
        {
            outbox.Close();
            foreach (var (group, _) in outbox.Groups)
                Leave(group, outbox);
        }
        return base.OnDisconnectedAsync(connection);
    }

    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groupName);
        if (!_outboxes.TryGetValue(connectionId, out var outbox))
            return Task.CompletedTask;
        while (true)
        {
            var members = _groups.GetOrAdd(groupName, static name => new GroupMembers(name));
            lock (members)
            {
                // Removed as empty by a leave meanwhile: start over with the current one.
                if (!_groups.TryGetValue(groupName, out var current) || current != members)
                    continue;
                members[connectionId] = outbox;
                outbox.Groups[members.Name] = 0;
                break;
            }
        }
        // Closed meanwhile: its disconnect may have left its groups before this one was added.
        if (outbox.IsClosed)
            Leave(groupName, outbox);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The groups a connection is in here, kept by <see cref="AddToGroupAsync"/> and <see cref="RemoveFromGroupAsync"/>: the
    /// set <see cref="GatewayConnection.Groups"/> is. Null when the connection is not (or no longer) here.
    /// </summary>
    public ConcurrentDictionary<string, byte>? GroupsOf(string connectionId) => _outboxes.TryGetValue(connectionId, out var outbox) ? outbox.Groups : null;

    /// <summary>The connections in a group now (a connection joining or leaving meanwhile may or may not be among them).</summary>
    public IEnumerable<string> ConnectionsIn(string groupName) =>
        _groups.TryGetValue(groupName, out var members) ? members.Select(m => m.Key) : [];

    /// <summary>
    /// One message to every connection in <paramref name="groupName"/>: <paramref name="inside"/> to those also in
    /// <paramref name="subgroupName"/>, <paramref name="outside"/> to the others; each serialized at most once. From the
    /// group index, so its cost is the group's size, not the node's connections.
    /// </summary>
    public void SendGroupSplit(string groupName, string subgroupName, string methodName, object?[] inside, object?[] outside)
    {
        if (!_groups.TryGetValue(groupName, out var members))
            return;
        _groups.TryGetValue(subgroupName, out var subgroup);
        SerializedHubMessage? insideMessage = null, outsideMessage = null;
        foreach (var (connectionId, outbox) in members)
            if (subgroup is not null && subgroup.ContainsKey(connectionId))
                outbox.Send(insideMessage ??= Serialized(methodName, inside));
            else
                outbox.Send(outsideMessage ??= Serialized(methodName, outside));
    }

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groupName);
        if (_outboxes.TryGetValue(connectionId, out var outbox) && outbox.Groups.TryRemove(groupName, out _))
            Leave(groupName, outbox);
        return Task.CompletedTask;
    }

    private void Leave(string groupName, Outbox outbox)
    {
        if (!_groups.TryGetValue(groupName, out var members))
            return;
        lock (members)
        {
            members.TryRemove(outbox.ConnectionId, out _);
            if (members.IsEmpty)
                _groups.TryRemove(new KeyValuePair<string, GroupMembers>(groupName, members));
        }
    }

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAllExceptAsync(methodName, args, [], cancellationToken);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default)
    {
        var message = Serialized(methodName, args);
        foreach (var (connectionId, outbox) in _outboxes)
            if (!excludedConnectionIds.Contains(connectionId))
                outbox.Send(message);
        return Task.CompletedTask;
    }

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connectionId);
        if (_outboxes.TryGetValue(connectionId, out var outbox))
            outbox.Send(Serialized(methodName, args));
        return Task.CompletedTask;
    }

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        SerializedHubMessage? message = null;
        foreach (var connectionId in connectionIds)
            if (_outboxes.TryGetValue(connectionId, out var outbox))
                outbox.Send(message ??= Serialized(methodName, args));
        return Task.CompletedTask;
    }

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendGroupExceptAsync(groupName, methodName, args, [], cancellationToken);

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groupName);
        SerializedHubMessage? message = null;
        SendToGroup(groupName, methodName, args, excludedConnectionIds, ref message);
        return Task.CompletedTask;
    }

    /// <remarks>As SignalR's: a connection in two of the groups gets the message twice.</remarks>
    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        SerializedHubMessage? message = null;
        foreach (var groupName in groupNames)
        {
            ArgumentNullException.ThrowIfNull(groupName);
            SendToGroup(groupName, methodName, args, [], ref message);
        }
        return Task.CompletedTask;
    }

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendUsersAsync([userId], methodName, args, cancellationToken);

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        SerializedHubMessage? message = null;
        foreach (var (_, outbox) in _outboxes)
            if (outbox.UserIdentifier is { } user && userIds.Contains(user))
                outbox.Send(message ??= Serialized(methodName, args));
        return Task.CompletedTask;
    }

    private void SendToGroup(string groupName, string methodName, object?[] args, IReadOnlyList<string> excluded, ref SerializedHubMessage? message)
    {
        if (!_groups.TryGetValue(groupName, out var members))
            return;
        // The enumerator takes no lock; a connection joining or leaving meanwhile may or may not get this message.
        foreach (var (connectionId, outbox) in members)
            if (excluded.Count == 0 || !excluded.Contains(connectionId))
                outbox.Send(message ??= Serialized(methodName, args));
    }

    /// <summary>
    /// Closes a connection once what was sent to it so far has been handed to its socket, the event that says why (sent
    /// just before) last: closed at once, it would lose the messages waiting in its outbox, that event among them, and its
    /// client would not learn why. Nothing sent to it after this call is delivered. A connection that does not take what
    /// is waiting within the send timeout (<see cref="GatewayOptions.SendTimeout"/>, as long as the transport gives one write)
    /// is closed anyway, socket and all.
    /// </summary>
    public void CloseAfterSent(string connectionId)
    {
        if (_outboxes.TryGetValue(connectionId, out var outbox))
            outbox.CloseAfterSent();
    }

    private static SerializedHubMessage Serialized(string methodName, object?[] args) => new(new InvocationMessage(methodName, args));

    private void Overflowed(Outbox outbox)
    {
        metrics.OutboxOverflowed();
        logger.LogInformation("Closing gateway connection {ConnectionId}: more than {Limit} messages unsent (the client is not reading); it resumes from the event log",
            outbox.ConnectionId, _outboxLimit);
    }

    /// <summary>
    /// A group's connections here, and its name: the one string every member's <see cref="Outbox.Groups"/> keeps, instead
    /// of each its own copy (a member of 100 channels kept 100 names, ~8 KiB a connection).
    /// </summary>
    private sealed class GroupMembers(string name) : ConcurrentDictionary<string, Outbox>(StringComparer.Ordinal)
    {
        public string Name { get; } = name;
    }

    /// <summary>
    /// One connection's messages not yet handed to its pipe, in order. At most one write of the connection is pending at
    /// a time, so the order is the order of <see cref="Send"/> calls; past the limit the connection is closed instead of
    /// kept waiting: its client reconnects and gets what it missed with Resume, from the log, in order.
    /// </summary>
    private sealed class Outbox(HubConnectionContext connection, GatewayLifetimeManager manager)
    {
        private readonly Queue<SerializedHubMessage> _queue = new();
        private readonly Lock _gate = new();
        private bool _writing;
        private volatile bool _closed;

        // Set by CloseAfterSent: later messages are dropped, and the connection closes once the queue is written.
        private bool _closing;

        public string ConnectionId => connection.ConnectionId;

        public string? UserIdentifier => connection.UserIdentifier;

        /// <summary>
        /// The groups the connection is in here, so its disconnect leaves them without looking through all groups; also
        /// the registry's view of them (<see cref="GatewayConnection.Groups"/>).
        /// </summary>
        /// <remarks>
        /// One lock and a few buckets to start with (it grows with the groups): a connection's groups change rarely and
        /// one change at a time (under its gate), and the default (a lock per core, 31 buckets) cost ~0.3 KiB of every
        /// idle connection.
        /// </remarks>
        public ConcurrentDictionary<string, byte> Groups { get; } = new(concurrencyLevel: 1, capacity: 8, StringComparer.Ordinal);

        public bool IsClosed => _closed;

        public void Close()
        {
            lock (_gate)
            {
                _closed = true;
                _queue.Clear();
            }
        }

        /// <summary>Writes the message now if no write of this connection is pending, else queues it behind them.</summary>
        public void Send(SerializedHubMessage message)
        {
            var overflowed = false;
            lock (_gate)
            {
                if (_closed || _closing)
                    return;
                if (_writing)
                {
                    if (_queue.Count < manager._outboxLimit)
                    {
                        _queue.Enqueue(message);
                        return;
                    }
                    _closed = overflowed = true;
                    _queue.Clear();
                }
                _writing = true;
            }
            if (overflowed)
            {
                manager.Overflowed(this);
                AbortWithSocket();
                return;
            }
            WriteFrom(message);
        }

        private void AbortWithSocket()
        {
            connection.Abort();
            // SignalR closes a connection only once its pending write is done, and that write waits for the socket,
            // until the transport's send timeout: the socket itself goes now.
            connection.GetHttpContext()?.Abort();
        }

        /// <summary>See <see cref="GatewayLifetimeManager.CloseAfterSent"/>.</summary>
        public void CloseAfterSent()
        {
            lock (_gate)
            {
                if (_closed || _closing)
                    return;
                _closing = true;
                if (_writing)
                {
                    // The last write takes it (TryNext); the grace bounds how long a client that does not read keeps it.
                    _ = AbortAfterGraceAsync();
                    return;
                }
            }
            connection.Abort();
        }

        private async Task AbortAfterGraceAsync()
        {
            await Task.Delay(manager._closeGrace, manager._time);
            lock (_gate)
            {
                if (_closed || !_writing)
                    return; // closed already, or written and closed by TryNext
                _closed = true;
                _queue.Clear();
            }
            AbortWithSocket();
        }

        /// <summary>Writes the message and then what was queued meanwhile, until a write is pending or nothing is left.</summary>
        private void WriteFrom(SerializedHubMessage message)
        {
            while (true)
            {
                // Never throws: a failed write aborts the connection (SignalR's HubConnectionContext).
                var write = connection.WriteAsync(message);
                if (!write.IsCompleted)
                {
                    _ = ContinueAfterAsync(write);
                    return;
                }
                // Consumed even when done at once: a ValueTask may be backed by a pooled source that waits for its result to be read.
                write.GetAwaiter().GetResult();
                if (!TryNext(out message))
                    return;
            }
        }

        private async Task ContinueAfterAsync(ValueTask write)
        {
            await write;
            if (TryNext(out var message))
                WriteFrom(message);
        }

        private bool TryNext(out SerializedHubMessage message)
        {
            bool close;
            lock (_gate)
            {
                if (!_closed && _queue.TryDequeue(out message!))
                    return true;
                _writing = false;
                message = null!;
                close = _closing && !_closed;
            }
            // Everything up to CloseAfterSent is in the connection's pipe: SignalR sends what is there before it closes.
            if (close)
                connection.Abort();
            return false;
        }
    }
}
