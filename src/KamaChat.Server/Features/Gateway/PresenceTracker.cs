using System.Collections.Concurrent;
using StackExchange.Redis;

namespace KamaChat.Server.Features.Gateway;

public static class PresenceStatus
{
    public const string Online = "online";
    public const string Idle = "idle";
    public const string DoNotDisturb = "dnd";
    public const string Invisible = "invisible";
    public const string Offline = "offline";

    public static bool IsSettable(string status) => status is Online or Idle or DoNotDisturb or Invisible;

    /// <summary>What others see: invisible looks offline.</summary>
    public static string Visible(string status) => status == Invisible ? Offline : status;

    /// <summary>
    /// What others see of a connected user: "online" turns into "idle" while every one of their devices reports its
    /// person away (no input for a while); a status they chose themselves stays as chosen.
    /// </summary>
    public static string Seen(string chosen, bool anyoneActive) => chosen == Online && !anyoneActive ? Idle : Visible(chosen);
}

/// <summary>
/// Who is connected and with what status, aggregated over a user's connections on every node: online while any
/// connection is open (with the status the user chose), offline once the last one has been gone for a short grace
/// period (a page reload or network blip should not flash "offline" to everyone). With Redis, each node records
/// "user is here" in a sorted set with an expiry it keeps refreshing, so a node that dies stops counting on its own;
/// a second set holds the nodes where at least one of the user's connections is active (not reported away), which is
/// what turns an "online" user "idle" only once all their devices are idle, whichever nodes they are on.
/// </summary>
public sealed class PresenceTracker(TimeProvider time, string node, IDatabase? redis)
{
    public static readonly TimeSpan OfflineGrace = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan NodeLease = TimeSpan.FromSeconds(90);

    private sealed class UserPresence
    {
        public int Connections;

        /// <summary>Connections whose person is at the keyboard (not reported away).</summary>
        public int Active;

        public string Chosen = PresenceStatus.Online;
        public long Generation;
    }

    // A lease is written and the live leases counted in one step: done as two commands, two nodes that take a user's
    // first connections at the same moment could each count the other and neither announce "online" (and, going
    // offline, both announce it).
    private const string AddLeaseAndCount = """
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        return redis.call('ZCOUNT', KEYS[1], ARGV[3], '+inf')
        """;

    // Both leases in one step, for the same reason: a user's first connections on two nodes must not each see the
    // other's presence lease but not its activity lease, and announce "back from idle" on top of "online".
    private const string AddLeasesAndCount = """
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
        return { redis.call('ZCOUNT', KEYS[1], ARGV[3], '+inf'), redis.call('ZCOUNT', KEYS[2], ARGV[3], '+inf') }
        """;

    private const string RemoveLeaseAndCount = """
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('ZREM', KEYS[2], ARGV[1])
        return redis.call('ZCOUNT', KEYS[1], ARGV[2], '+inf')
        """;

    private const string RemoveActiveAndCount = """
        redis.call('ZREM', KEYS[1], ARGV[1])
        return redis.call('ZCOUNT', KEYS[1], ARGV[2], '+inf')
        """;

    private readonly ConcurrentDictionary<Snowflake, UserPresence> _users = new();

    /// <summary>Without Redis there is one node: everyone online is connected here.</summary>
    public bool SingleNode => redis is null;

    /// <returns>
    /// The status to announce when the user just came online (on any node), or came back from idle with this new
    /// (active) connection; else null.
    /// </returns>
    public async Task<string?> ConnectedAsync(Snowflake userId)
    {
        var presence = _users.GetOrAdd(userId, _ => new UserPresence());
        bool first, firstActive;
        lock (presence)
        {
            presence.Generation++;
            first = ++presence.Connections == 1;
            firstActive = ++presence.Active == 1;
        }
        if (redis is null)
            return first || (firstActive && presence.Chosen == PresenceStatus.Online) ? PresenceStatus.Visible(presence.Chosen) : null;
        if (!first && !firstActive)
            return null;

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var expiry = now + (long)NodeLease.TotalMilliseconds;
        long nodes = 0, activeNodes;
        if (first)
        {
            var counts = (long[])(await redis.ScriptEvaluateAsync(AddLeasesAndCount, [NodesKey(userId), ActiveKey(userId)], [node, expiry, now]))!;
            (nodes, activeNodes) = (counts[0], counts[1]);
        }
        else
        {
            activeNodes = (long)await redis.ScriptEvaluateAsync(AddLeaseAndCount, [ActiveKey(userId)], [node, expiry, now]);
        }
        var chosen = (string?)await redis.StringGetAsync(StatusKey(userId)) ?? PresenceStatus.Online;
        lock (presence)
            presence.Chosen = chosen;
        if (nodes == 1)
            return PresenceStatus.Visible(chosen);
        return activeNodes == 1 && chosen == PresenceStatus.Online ? PresenceStatus.Online : null;
    }

    /// <summary>
    /// One connection says its person went away (no input for a while) or came back. Call only on a change of that
    /// connection's state.
    /// </summary>
    /// <returns>The status to announce when the user as a whole went idle or came back online; else null.</returns>
    public async Task<string?> SetAwayAsync(Snowflake userId, bool away)
    {
        if (!_users.TryGetValue(userId, out var presence))
            return null;
        bool crossed;
        lock (presence)
            crossed = away ? --presence.Active == 0 : ++presence.Active == 1;
        if (!crossed)
            return null;
        return await ActivityCrossedAsync(userId, away);
    }

    /// <summary>This node's count of active connections for the user went to 0 (away) or from 0.</summary>
    private async Task<string?> ActivityCrossedAsync(Snowflake userId, bool away)
    {
        if (redis is not null)
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var activeNodes = away
                ? (long)await redis.ScriptEvaluateAsync(RemoveActiveAndCount, [ActiveKey(userId)], [node, now])
                : (long)await redis.ScriptEvaluateAsync(AddLeaseAndCount, [ActiveKey(userId)], [node, now + (long)NodeLease.TotalMilliseconds, now]);
            // Another node still has (or already had) an active connection: nothing changes for others.
            if (activeNodes != (away ? 0 : 1))
                return null;
        }
        var seen = (await StatusesAsync([userId]))[userId];
        return seen == (away ? PresenceStatus.Idle : PresenceStatus.Online) ? seen : null;
    }

    /// <summary>
    /// Call when a connection closes (<paramref name="wasActive"/>: it had not reported its person away). The callback
    /// gets "offline" after the grace period if the user is gone from every node, or "idle" at once if the connection
    /// was the last active one of a user who is still connected.
    /// </summary>
    public void Disconnected(Snowflake userId, bool wasActive, Func<string, Task> announce)
    {
        if (!_users.TryGetValue(userId, out var presence))
            return;
        long generation;
        lock (presence)
        {
            var lastActive = wasActive && --presence.Active == 0;
            if (--presence.Connections > 0)
            {
                if (lastActive)
                    _ = Task.Run(async () =>
                    {
                        if (await ActivityCrossedAsync(userId, away: true) == PresenceStatus.Idle)
                            await announce(PresenceStatus.Idle);
                    });
                return;
            }
            generation = ++presence.Generation;
        }
        _ = Task.Run(async () =>
        {
            await Task.Delay(OfflineGrace, time);
            lock (presence)
            {
                if (presence.Connections > 0 || presence.Generation != generation)
                    return;
            }
            if (redis is not null)
            {
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                if ((long)await redis.ScriptEvaluateAsync(RemoveLeaseAndCount, [NodesKey(userId), ActiveKey(userId)], [node, now]) > 0)
                {
                    // Still connected elsewhere; if this node held the only active connection, the user is now idle.
                    if (wasActive && (await StatusesAsync([userId]))[userId] == PresenceStatus.Idle)
                        await announce(PresenceStatus.Idle);
                    return;
                }
            }
            await announce(PresenceStatus.Offline);
        });
    }

    /// <returns>The status others now see.</returns>
    public async Task<string> SetAsync(Snowflake userId, string status)
    {
        var presence = _users.GetOrAdd(userId, _ => new UserPresence());
        lock (presence)
            presence.Chosen = status;
        if (redis is not null)
            await redis.StringSetAsync(StatusKey(userId), status, TimeSpan.FromDays(30));
        var statuses = await StatusesAsync([userId]);
        return statuses.GetValueOrDefault(userId, PresenceStatus.Offline);
    }

    /// <summary>The status the user chose (online unless they picked idle, dnd or invisible), for their own devices.</summary>
    public async Task<string> ChosenAsync(Snowflake userId)
    {
        if (redis is not null)
            return (string?)await redis.StringGetAsync(StatusKey(userId)) ?? PresenceStatus.Online;
        return _users.TryGetValue(userId, out var presence) ? presence.Chosen : PresenceStatus.Online;
    }

    /// <summary>Whether the user has a live connection on any node (invisible ones included, unlike <see cref="StatusesAsync"/>).</summary>
    public async Task<bool> IsConnectedAsync(Snowflake userId)
    {
        if (redis is null)
            return _users.TryGetValue(userId, out var presence) && Volatile.Read(ref presence.Connections) > 0;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return await redis.SortedSetLengthAsync(NodesKey(userId), now, double.PositiveInfinity) > 0;
    }

    /// <summary>What others see of these users right now (offline ones included).</summary>
    public async Task<Dictionary<Snowflake, string>> StatusesAsync(IReadOnlyCollection<Snowflake> userIds)
    {
        var result = new Dictionary<Snowflake, string>(userIds.Count);
        if (redis is null)
        {
            foreach (var id in userIds)
                result[id] = _users.TryGetValue(id, out var p) && p.Connections > 0 ? PresenceStatus.Seen(p.Chosen, p.Active > 0) : PresenceStatus.Offline;
            return result;
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var batch = redis.CreateBatch();
        var lookups = userIds.Select(id => (Id: id,
            Nodes: batch.SortedSetLengthAsync(NodesKey(id), now, double.PositiveInfinity),
            ActiveNodes: batch.SortedSetLengthAsync(ActiveKey(id), now, double.PositiveInfinity),
            Status: batch.StringGetAsync(StatusKey(id)))).ToList();
        batch.Execute();
        foreach (var (id, nodes, activeNodes, status) in lookups)
            result[id] = await nodes > 0
                ? PresenceStatus.Seen((string?)await status ?? PresenceStatus.Online, await activeNodes > 0)
                : PresenceStatus.Offline;
        return result;
    }

    /// <summary>Renews this node's lease for every user connected here.</summary>
    public async Task RenewLeasesAsync()
    {
        if (redis is null)
            return;
        var expiry = time.GetUtcNow().ToUnixTimeMilliseconds() + (long)NodeLease.TotalMilliseconds;
        var batch = redis.CreateBatch();
        var writes = _users.Where(u => u.Value.Connections > 0)
            .Select(u => batch.SortedSetAddAsync(NodesKey(u.Key), node, expiry))
            .Concat(_users.Where(u => u.Value.Active > 0).Select(u => batch.SortedSetAddAsync(ActiveKey(u.Key), node, expiry)))
            .ToList();
        batch.Execute();
        await Task.WhenAll(writes);
    }

    private static RedisKey NodesKey(Snowflake userId) => $"kamachat:presence:{userId}";

    private static RedisKey ActiveKey(Snowflake userId) => $"kamachat:presence-active:{userId}";

    private static RedisKey StatusKey(Snowflake userId) => $"kamachat:presence-status:{userId}";
}

/// <summary>Keeps this node's presence leases fresh while it lives.</summary>
public sealed class PresenceLeaseRenewer(PresenceTracker presence, TimeProvider time, ILogger<PresenceLeaseRenewer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PresenceTracker.NodeLease / 3, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await presence.RenewLeasesAsync();
            }
            catch (RedisException e)
            {
                logger.LogWarning(e, "Renewing presence leases failed");
            }
        }
    }
}

/// <summary>One typing signal per user per channel per 5 s; clients show it for 8 s or until that user's message arrives.</summary>
public sealed class TypingThrottle(TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(8);

    private readonly ConcurrentDictionary<(Snowflake User, Snowflake Channel), DateTimeOffset> _last = new();

    public bool TryStart(Snowflake userId, Snowflake channelId, out DateTimeOffset expiresAt)
    {
        var now = time.GetUtcNow();
        expiresAt = now + Expiry;
        var key = (userId, channelId);
        while (true)
        {
            if (_last.TryGetValue(key, out var last))
            {
                if (now - last < Interval)
                    return false;
                if (_last.TryUpdate(key, now, last))
                    break;
            }
            else if (_last.TryAdd(key, now))
            {
                break;
            }
        }
        if (_last.Count > 100_000)
            foreach (var stale in _last.Where(e => now - e.Value > Expiry).Select(e => e.Key).ToList())
                _last.TryRemove(stale, out _);
        return true;
    }
}
