using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace KamaChat.Server.Features.Gateway;

/// <summary>One live gateway connection on this node and the groups it is in.</summary>
public sealed class GatewayConnection(string connectionId, Snowflake userId, Snowflake sessionId, HubCallerContext context)
{
    public string ConnectionId { get; } = connectionId;

    public Snowflake UserId { get; } = userId;

    public Snowflake SessionId { get; } = sessionId;

    public HubCallerContext Context { get; } = context;

    /// <summary>
    /// Groups this connection is in. Changed only under <see cref="Gate"/>, so updates for one connection never
    /// interleave; concurrent, so the dispatcher may read it while an update runs.
    /// </summary>
    public ConcurrentDictionary<string, byte> Groups { get; } = new(StringComparer.Ordinal);

    public SemaphoreSlim Gate { get; } = new(1, 1);
}

/// <summary>
/// The connections on this node. Each node keeps its own: events reach every node (from the log), and each node
/// delivers to and manages the groups of its own connections, so no cross-node group bookkeeping is needed.
/// </summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, GatewayConnection> _connections = new();
    private readonly ConcurrentDictionary<Snowflake, ConcurrentDictionary<string, GatewayConnection>> _byUser = new();

    public int Count => _connections.Count;

    public void Add(GatewayConnection connection)
    {
        _connections[connection.ConnectionId] = connection;
        _byUser.GetOrAdd(connection.UserId, _ => new()).TryAdd(connection.ConnectionId, connection);
    }

    /// <returns>How many connections the user still has on this node.</returns>
    public int Remove(string connectionId)
    {
        if (!_connections.TryRemove(connectionId, out var connection))
            return 0;
        if (!_byUser.TryGetValue(connection.UserId, out var mine))
            return 0;
        mine.TryRemove(connectionId, out _);
        if (mine.IsEmpty)
            _byUser.TryRemove(new KeyValuePair<Snowflake, ConcurrentDictionary<string, GatewayConnection>>(connection.UserId, mine));
        return mine.Count;
    }

    public GatewayConnection? Find(string connectionId) => _connections.GetValueOrDefault(connectionId);

    public IReadOnlyCollection<GatewayConnection> OfUser(Snowflake userId) =>
        _byUser.TryGetValue(userId, out var mine) ? mine.Values.ToList() : [];

    public IEnumerable<Snowflake> ConnectedUsers => _byUser.Keys;
}
