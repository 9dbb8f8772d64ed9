using System.Globalization;
using System.Text.Json;
using KamaChat.Server.Features.Events;
using StackExchange.Redis;

namespace KamaChat.Server.Features.Calls;

/// <summary>
/// Voice states in Redis, for several nodes: a hash of entries by user (so "one call per user" holds across nodes), a
/// set of users per channel (for Ready and the user limit), and a sorted set of leases (expiry per user, renewed by the
/// holding node). Every change that must not interleave with another node's is one Lua script; an entry changes only
/// while the same gateway connection holds it, so a node never overwrites a call that moved on.
/// Commands to a node travel on its own pub/sub channel.
/// </summary>
public sealed class RedisVoiceStates(IConnectionMultiplexer redis, TimeProvider time, string node, ILogger<RedisVoiceStates> logger) : IVoiceStates
{
    private const string EntriesKey = "kamachat:voice:entries";
    private const string LeasesKey = "kamachat:voice:leases";
    private const int ReapBatch = 100;

    private const string AddScript = """
        if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
        redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
        redis.call('SADD', KEYS[3], ARGV[1])
        return 1
        """;

    private const string UpdateScript = """
        local current = redis.call('HGET', KEYS[1], ARGV[1])
        if not current or cjson.decode(current).connectionId ~= ARGV[2] then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        return 1
        """;

    // ARGV[3]: remove only if the lease lapsed before this time (ms), or '' for any lease.
    private const string RemoveScript = """
        local current = redis.call('HGET', KEYS[1], ARGV[1])
        if not current then return false end
        local entry = cjson.decode(current)
        if entry.connectionId ~= ARGV[2] then return false end
        if ARGV[3] ~= '' then
          local expiry = redis.call('ZSCORE', KEYS[2], ARGV[1])
          if expiry and tonumber(expiry) > tonumber(ARGV[3]) then return false end
        end
        redis.call('HDEL', KEYS[1], ARGV[1])
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('SREM', 'kamachat:voice:channel:' .. entry.state.channelId, ARGV[1])
        return current
        """;

    // ARGV[1]: the new expiry; then user id and connection id pairs. Returns the users whose entry is not theirs.
    private const string RenewScript = """
        local lost = {}
        for i = 2, #ARGV, 2 do
          local current = redis.call('HGET', KEYS[1], ARGV[i])
          if current and cjson.decode(current).connectionId == ARGV[i + 1] then
            redis.call('ZADD', KEYS[2], ARGV[1], ARGV[i])
          else
            table.insert(lost, ARGV[i])
          end
        end
        return lost
        """;

    private IDatabase Db => redis.GetDatabase();

    public string Node => node;

    public async Task<bool> TryAddAsync(VoiceEntry entry, TimeSpan lease) =>
        (long)await Db.ScriptEvaluateAsync(AddScript, [EntriesKey, LeasesKey, ChannelKey(entry.ChannelId)],
            [entry.UserId.ToString(), Serialize(entry), Expiry(lease)]) == 1;

    public async Task<bool> UpdateAsync(VoiceEntry entry) =>
        (long)await Db.ScriptEvaluateAsync(UpdateScript, [EntriesKey], [entry.UserId.ToString(), entry.ConnectionId, Serialize(entry)]) == 1;

    public async Task<VoiceEntry?> RemoveAsync(Snowflake userId, string connectionId, bool onlyExpired = false)
    {
        var removed = await Db.ScriptEvaluateAsync(RemoveScript, [EntriesKey, LeasesKey],
            [userId.ToString(), connectionId, onlyExpired ? Now().ToString(CultureInfo.InvariantCulture) : ""]);
        return removed.IsNull ? null : Deserialize((string?)removed);
    }

    public async Task<VoiceEntry?> GetAsync(Snowflake userId) => Deserialize(await Db.HashGetAsync(EntriesKey, userId.ToString()));

    public async Task<IReadOnlyList<VoiceState>> InChannelsAsync(IReadOnlyCollection<Snowflake> channelIds)
    {
        if (channelIds.Count == 0)
            return [];
        var db = Db;
        var batch = db.CreateBatch();
        var lookups = channelIds.Select(id => batch.SetMembersAsync(ChannelKey(id))).ToList();
        batch.Execute();
        var users = (await Task.WhenAll(lookups)).SelectMany(m => m).Distinct().ToArray();
        if (users.Length == 0)
            return [];
        var entries = db.HashGetAsync(EntriesKey, users);
        var leases = db.SortedSetScoresAsync(LeasesKey, users);
        var now = Now();
        var (values, expiries) = (await entries, await leases);
        var states = new List<VoiceState>(users.Length);
        for (var i = 0; i < users.Length; i++)
            if (expiries[i] > now && Deserialize(values[i]) is { } entry && channelIds.Contains(entry.ChannelId))
                states.Add(entry.State);
        return states;
    }

    public async Task<IReadOnlyList<Snowflake>> RenewAsync(IReadOnlyCollection<(Snowflake UserId, string ConnectionId)> held, TimeSpan lease)
    {
        if (held.Count == 0)
            return [];
        var arguments = new List<RedisValue>(held.Count * 2 + 1) { Expiry(lease) };
        foreach (var (userId, connectionId) in held)
        {
            arguments.Add(userId.ToString());
            arguments.Add(connectionId);
        }
        var lost = (RedisValue[])(await Db.ScriptEvaluateAsync(RenewScript, [EntriesKey, LeasesKey], [.. arguments]))!;
        return lost.Select(v => Snowflake.Parse((string)v!, CultureInfo.InvariantCulture)).ToList();
    }

    public async Task<IReadOnlyList<VoiceEntry>> ExpiredAsync()
    {
        var db = Db;
        var users = await db.SortedSetRangeByScoreAsync(LeasesKey, double.NegativeInfinity, Now(), Exclude.Stop, take: ReapBatch);
        if (users.Length == 0)
            return [];
        var values = await db.HashGetAsync(EntriesKey, users);
        var expired = new List<VoiceEntry>(users.Length);
        for (var i = 0; i < users.Length; i++)
        {
            if (Deserialize(values[i]) is { } entry)
                expired.Add(entry);
            else
                await db.SortedSetRemoveAsync(LeasesKey, users[i]);
        }
        return expired;
    }

    public Task GrantMoveAsync(Snowflake userId, Snowflake channelId, TimeSpan lifetime) =>
        Db.StringSetAsync(MoveKey(userId), channelId.ToString(), lifetime);

    public async Task<bool> TakeMoveAsync(Snowflake userId, Snowflake channelId) =>
        await Db.StringGetDeleteAsync(MoveKey(userId)) == channelId.ToString();

    public Task SendAsync(string target, VoiceCommand command) =>
        redis.GetSubscriber().PublishAsync(CommandsChannel(target), JsonSerializer.Serialize(command, EventLog.PayloadJson));

    public async Task ListenAsync(Func<VoiceCommand, Task> handler)
    {
        (await redis.GetSubscriber().SubscribeAsync(CommandsChannel(node))).OnMessage(async message =>
        {
            try
            {
                if (JsonSerializer.Deserialize<VoiceCommand>((string)message.Message!, EventLog.PayloadJson) is { } command)
                    await handler(command);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "A voice command for this node failed");
            }
        });
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private long Expiry(TimeSpan lease) => Now() + (long)lease.TotalMilliseconds;

    private static string Serialize(VoiceEntry entry) => JsonSerializer.Serialize(entry, EventLog.PayloadJson);

    private static VoiceEntry? Deserialize(RedisValue value) =>
        value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<VoiceEntry>((string)value!, EventLog.PayloadJson);

    private static RedisKey ChannelKey(Snowflake channelId) => $"kamachat:voice:channel:{channelId}";

    private static RedisKey MoveKey(Snowflake userId) => $"kamachat:voice:move:{userId}";

    private static RedisChannel CommandsChannel(string target) => RedisChannel.Literal($"kamachat:voice:node:{target}");
}
