using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace KamaChat.Server.Features.Gateway;

/// <summary>One live gateway connection on this node and the groups it is in.</summary>
/// <param name="groups">The lifetime manager's set of the connection's groups (<see cref="GatewayLifetimeManager.GroupsOf"/>).</param>
public sealed class GatewayConnection(string connectionId, Snowflake userId, Snowflake sessionId, HubCallerContext context, ConcurrentDictionary<string, byte> groups)
{
    public string ConnectionId { get; } = connectionId;

    public Snowflake UserId { get; } = userId;

    public Snowflake SessionId { get; } = sessionId;

    public HubCallerContext Context { get; } = context;

    /// <summary>
    /// Groups this connection is in: the lifetime manager's own set, which its group joins and leaves keep (one set, not a
    /// mirror). Changed only under <see cref="Gate"/>, so updates for one connection never interleave; concurrent, so the
    /// dispatcher may read it while an update runs.
    /// </summary>
    public ConcurrentDictionary<string, byte> Groups { get; } = groups;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The large server whose member list this connection watches presences in (its "presence:" groups); changed under <see cref="Gate"/>.</summary>
    public Snowflake? WatchedServer { get; set; }

    /// <summary>Set under <see cref="Gate"/> once the connection closed: a group sync still running then joins it to nothing.</summary>
    public bool IsClosed { get; set; }

    /// <summary>
    /// A fingerprint per server of what the client was last told it sees there (Ready's channels, then each
    /// <see cref="ServerViewChanged"/>); a small array, copied on change: changes are rare, idle connections many.
    /// </summary>
    private (Snowflake Server, (ulong, ulong) Fingerprint)[] _views = [];

    private readonly Lock _viewsGate = new();

    /// <summary>Notes the views Ready (or a Refresh) gave the client; with <paramref name="onlyMissing"/>, keeps those noted since.</summary>
    public void NoteReady(IEnumerable<ReadyServer> servers, bool onlyMissing)
    {
        lock (_viewsGate)
        {
            var views = onlyMissing ? _views.ToList() : [];
            foreach (var server in servers)
                if (!views.Exists(v => v.Server == server.Id))
                    views.Add((server.Id, ServerViewChanged.Fingerprint(server.Channels)));
            _views = [.. views];
        }
    }

    /// <summary>
    /// Notes that the client is now sent this view of a server. False when it is the one it has (nothing to send), so a
    /// change that leaves someone's channels and permissions as they were costs them nothing.
    /// </summary>
    public bool NoteView(Snowflake serverId, (ulong, ulong) fingerprint)
    {
        lock (_viewsGate)
        {
            var i = Array.FindIndex(_views, v => v.Server == serverId);
            if (i >= 0 && _views[i].Fingerprint == fingerprint)
                return false;
            _views = i >= 0 ? _views.Select((v, j) => j == i ? (serverId, fingerprint) : v).ToArray() : [.. _views, (serverId, fingerprint)];
            return true;
        }
    }

    private const int Active = 0, Away = 1, Closed = 2;
    private int _activity;

    /// <summary>
    /// The client says its person is away (no input for a while) or back: with every device away, online shows as idle.
    /// </summary>
    /// <returns>Whether this changed the connection's state (never once it is closed).</returns>
    public bool TrySetAway(bool away)
    {
        var (from, to) = away ? (Active, Away) : (Away, Active);
        return Interlocked.CompareExchange(ref _activity, to, from) == from;
    }

    /// <summary>Ends the connection's activity state, so a late <see cref="TrySetAway"/> cannot count it again.</summary>
    /// <returns>Whether it was active (not away) until now.</returns>
    public bool CloseActivity() => Interlocked.Exchange(ref _activity, Closed) == Active;
}

/// <summary>
/// The connections on this node. Each node keeps its own: events reach every node (from the log), and each node
/// delivers to and manages the groups of its own connections, so no cross-node group bookkeeping is needed.
/// </summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, GatewayConnection> _connections = new();
    private readonly ConcurrentDictionary<Snowflake, ConcurrentDictionary<string, GatewayConnection>> _byUser = new();

    // Per server, the users with a connection here in its group and how many they have: whose presence a connecting
    // member's Ready may carry, without reading thousands of member ids from the database on every connect.
    private readonly ConcurrentDictionary<Snowflake, ConcurrentDictionary<Snowflake, int>> _byServer = new();

    public int Count => _connections.Count;

    /// <summary>
    /// Adds the connection unless its account already has <paramref name="perUser"/> connections here, or its session
    /// <paramref name="perSession"/>: one account must not be able to hold the node's sockets (and their cost) hostage.
    /// </summary>
    public bool TryAdd(GatewayConnection connection, int perUser, int perSession)
    {
        while (true)
        {
            // Most people have a connection or two: one lock and two buckets to start with, not the default's lock per
            // core and 31 buckets (~0.5 KiB for each connected person).
            var mine = _byUser.GetOrAdd(connection.UserId, static _ => new(concurrencyLevel: 1, capacity: 2));
            lock (mine)
            {
                // Removed as empty by a disconnect meanwhile: start over with the current one.
                if (!_byUser.TryGetValue(connection.UserId, out var current) || current != mine)
                    continue;
                if (mine.Count >= perUser || mine.Values.Count(c => c.SessionId == connection.SessionId) >= perSession)
                    return false;
                mine[connection.ConnectionId] = connection;
            }
            _connections[connection.ConnectionId] = connection;
            return true;
        }
    }

    /// <returns>How many connections the user still has on this node.</returns>
    public int Remove(string connectionId)
    {
        if (!_connections.TryRemove(connectionId, out var connection))
            return 0;
        if (!_byUser.TryGetValue(connection.UserId, out var mine))
            return 0;
        lock (mine)
        {
            mine.TryRemove(connectionId, out _);
            if (mine.IsEmpty)
                _byUser.TryRemove(new KeyValuePair<Snowflake, ConcurrentDictionary<string, GatewayConnection>>(connection.UserId, mine));
            return mine.Count;
        }
    }

    public GatewayConnection? Find(string connectionId) => _connections.GetValueOrDefault(connectionId);

    public IReadOnlyCollection<GatewayConnection> OfUser(Snowflake userId) =>
        _byUser.TryGetValue(userId, out var mine) ? mine.Values.ToList() : [];

    /// <summary>A connection of the user joined the server's group (call under the connection's <see cref="GatewayConnection.Gate"/>).</summary>
    public void JoinedServer(Snowflake serverId, Snowflake userId)
    {
        while (true)
        {
            var users = _byServer.GetOrAdd(serverId, _ => new());
            lock (users)
            {
                // Removed as empty by a leave meanwhile: start over with the current one.
                if (!_byServer.TryGetValue(serverId, out var current) || current != users)
                    continue;
                users[userId] = users.GetValueOrDefault(userId) + 1;
                return;
            }
        }
    }

    /// <summary>A connection of the user left the server's group, or closed while in it (under its <see cref="GatewayConnection.Gate"/>).</summary>
    public void LeftServer(Snowflake serverId, Snowflake userId)
    {
        if (!_byServer.TryGetValue(serverId, out var users))
            return;
        lock (users)
        {
            if (!users.TryGetValue(userId, out var count))
                return;
            if (count > 1)
                users[userId] = count - 1;
            else
                users.TryRemove(userId, out _);
            if (users.IsEmpty)
                _byServer.TryRemove(new KeyValuePair<Snowflake, ConcurrentDictionary<Snowflake, int>>(serverId, users));
        }
    }

    /// <summary>Up to <paramref name="limit"/> users other than <paramref name="except"/> connected here to any of these servers.</summary>
    public HashSet<Snowflake> UsersIn(IEnumerable<Snowflake> serverIds, Snowflake except, int limit)
    {
        var found = new HashSet<Snowflake>();
        foreach (var serverId in serverIds)
        {
            if (!_byServer.TryGetValue(serverId, out var users))
                continue;
            // The enumerator takes no lock (unlike Keys, which copies under all of them).
            foreach (var (userId, _) in users)
            {
                if (userId != except)
                    found.Add(userId);
                if (found.Count >= limit)
                    return found;
            }
        }
        return found;
    }

    /// <summary>
    /// Takes a closed connection out of the servers it was in here, under its <see cref="GatewayConnection.Gate"/> so a
    /// group sync running meanwhile cannot put it back (it sees <see cref="GatewayConnection.IsClosed"/>).
    /// </summary>
    public async Task LeaveServersAsync(GatewayConnection connection)
    {
        await connection.Gate.WaitAsync();
        try
        {
            connection.IsClosed = true;
            foreach (var (group, _) in connection.Groups)
                if (GatewayGroups.ServerOf(group) is { } serverId)
                    LeftServer(serverId, connection.UserId);
        }
        finally
        {
            connection.Gate.Release();
        }
    }
}
