using System.Globalization;
using System.Text.Json;
using KamaChat.Server.Features.Events;
using StackExchange.Redis;

namespace KamaChat.Server.Features.Calls;

/// <summary>
/// Someone in a DM call: their user, the node holding their gateway connection, that connection, and whether their
/// camera is on or they share a screen there.
/// </summary>
public sealed record DmCallSeat(Snowflake UserId, string Node, string ConnectionId, bool Video = false, bool Stream = false);

/// <summary>
/// A DM or group DM call as every node sees it. <c>Id</c> tells this call from a later one in the same conversation
/// (a ring timer only ends its own call); <c>RingUntil</c> is when the devices that still ring stop.
/// </summary>
public sealed record DmCallRecord(
    string Id, Snowflake ChannelId, Snowflake StartedBy, DateTimeOffset StartedAt, DateTimeOffset? ConnectedAt, DateTimeOffset RingUntil,
    IReadOnlyList<DmCallSeat> Participants, IReadOnlyList<Snowflake> Ringing)
{
    public DmCallSeat? Seat(Snowflake userId) => Participants.FirstOrDefault(p => p.UserId == userId);

    /// <summary>The users the call concerns: those in it and those it rings.</summary>
    public IEnumerable<Snowflake> Users => Participants.Select(p => p.UserId).Concat(Ringing);
}

/// <summary>
/// Where DM calls live: this node's memory with one node, Redis with several (<see cref="RedisDmCallStore"/>). A call
/// changes only through <see cref="ChangeAsync"/>, atomically, so two nodes never both end it (and never both write its
/// line in the conversation). The nodes holding participants' connections keep a lease alive; a call's seats on a node
/// whose lease lapsed are taken out by a surviving node.
/// </summary>
public interface IDmCallStore
{
    /// <summary>
    /// Replaces the call in <paramref name="channelId"/> with what <paramref name="change"/> makes of it (null: no call),
    /// atomically; <paramref name="change"/> may run more than once, so it only computes. Returning its argument changes
    /// nothing. Returns the call before and after.
    /// </summary>
    Task<(DmCallRecord? Before, DmCallRecord? After)> ChangeAsync(Snowflake channelId, Func<DmCallRecord?, DmCallRecord?> change);

    Task<IReadOnlyList<DmCallRecord>> InAsync(IReadOnlyCollection<Snowflake> channelIds);

    /// <summary>The calls the user is in or that ring them.</summary>
    Task<IReadOnlyList<DmCallRecord>> OfUserAsync(Snowflake userId);

    /// <summary>Every call going on (for the keeper's rounds).</summary>
    Task<IReadOnlyList<DmCallRecord>> AllAsync();

    /// <summary>Renews this node's lease.</summary>
    Task RenewAsync(string node, TimeSpan lease);

    /// <summary>Whether a node's lease is alive.</summary>
    Task<bool> AliveAsync(string node);
}

/// <summary>One node: the calls are in this node's memory and every connection is here.</summary>
public sealed class LocalDmCallStore : IDmCallStore
{
    private readonly Dictionary<Snowflake, DmCallRecord> _calls = [];
    private readonly Lock _lock = new();

    public Task<(DmCallRecord? Before, DmCallRecord? After)> ChangeAsync(Snowflake channelId, Func<DmCallRecord?, DmCallRecord?> change)
    {
        lock (_lock)
        {
            var before = _calls.GetValueOrDefault(channelId);
            var after = change(before);
            if (after is null)
                _calls.Remove(channelId);
            else
                _calls[channelId] = after;
            return Task.FromResult((before, after));
        }
    }

    public Task<IReadOnlyList<DmCallRecord>> InAsync(IReadOnlyCollection<Snowflake> channelIds) => Where(c => channelIds.Contains(c.ChannelId));

    public Task<IReadOnlyList<DmCallRecord>> OfUserAsync(Snowflake userId) => Where(c => c.Users.Contains(userId));

    public Task<IReadOnlyList<DmCallRecord>> AllAsync() => Where(_ => true);

    public Task RenewAsync(string node, TimeSpan lease) => Task.CompletedTask;

    public Task<bool> AliveAsync(string node) => Task.FromResult(true);

    private Task<IReadOnlyList<DmCallRecord>> Where(Func<DmCallRecord, bool> predicate)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<DmCallRecord>>(_calls.Values.Where(predicate).ToList());
    }
}

/// <summary>
/// DM calls in Redis, for several nodes: one JSON value per call, changed by compare-and-set (a transaction on the
/// value read), a set of the conversations with a call, a set of conversations per user (kept in the same
/// transaction), and one key per node that expires unless the node renews it.
/// </summary>
public sealed class RedisDmCallStore(IConnectionMultiplexer redis) : IDmCallStore
{
    private const string CallsKey = "kamachat:dmcalls";

    private IDatabase Db => redis.GetDatabase();

    public async Task<(DmCallRecord? Before, DmCallRecord? After)> ChangeAsync(Snowflake channelId, Func<DmCallRecord?, DmCallRecord?> change)
    {
        var db = Db;
        var key = CallKey(channelId);
        var id = channelId.ToString();
        while (true)
        {
            var current = await db.StringGetAsync(key);
            var before = Deserialize(current);
            var after = change(before);
            if (ReferenceEquals(before, after))
                return (before, after);
            var transaction = db.CreateTransaction();
            transaction.AddCondition(current.IsNull ? Condition.KeyNotExists(key) : Condition.StringEqual(key, current));
            var writes = new List<Task>();
            if (after is null)
            {
                writes.Add(transaction.KeyDeleteAsync(key));
                writes.Add(transaction.SetRemoveAsync(CallsKey, id));
            }
            else
            {
                writes.Add(transaction.StringSetAsync(key, JsonSerializer.Serialize(after, EventLog.PayloadJson)));
                writes.Add(transaction.SetAddAsync(CallsKey, id));
            }
            var had = before?.Users.ToHashSet() ?? [];
            var has = after?.Users.ToHashSet() ?? [];
            writes.AddRange(had.Except(has).Select(u => transaction.SetRemoveAsync(UserKey(u), id)));
            writes.AddRange(has.Except(had).Select(u => transaction.SetAddAsync(UserKey(u), id)));
            if (await transaction.ExecuteAsync())
            {
                await Task.WhenAll(writes);
                return (before, after);
            }
        }
    }

    public async Task<IReadOnlyList<DmCallRecord>> InAsync(IReadOnlyCollection<Snowflake> channelIds)
    {
        if (channelIds.Count == 0)
            return [];
        var values = await Db.StringGetAsync(channelIds.Select(CallKey).ToArray());
        return values.Select(Deserialize).OfType<DmCallRecord>().ToList();
    }

    public async Task<IReadOnlyList<DmCallRecord>> OfUserAsync(Snowflake userId) =>
        (await InAsync(Ids(await Db.SetMembersAsync(UserKey(userId))))).Where(c => c.Users.Contains(userId)).ToList();

    public async Task<IReadOnlyList<DmCallRecord>> AllAsync() => await InAsync(Ids(await Db.SetMembersAsync(CallsKey)));

    public Task RenewAsync(string node, TimeSpan lease) => Db.StringSetAsync(NodeKey(node), "1", lease);

    public Task<bool> AliveAsync(string node) => Db.KeyExistsAsync(NodeKey(node));

    private static List<Snowflake> Ids(RedisValue[] values) =>
        values.Select(v => Snowflake.Parse((string)v!, CultureInfo.InvariantCulture)).ToList();

    private static DmCallRecord? Deserialize(RedisValue value) =>
        value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<DmCallRecord>((string)value!, EventLog.PayloadJson);

    private static RedisKey CallKey(Snowflake channelId) => $"kamachat:dmcall:{channelId}";

    private static RedisKey UserKey(Snowflake userId) => $"kamachat:dmcalls:user:{userId}";

    private static RedisKey NodeKey(string node) => $"kamachat:dmcalls:node:{node}";
}
