using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using StackExchange.Redis;

namespace KamaChat.Server.Infrastructure.RateLimiting;

/// <summary>What one counted attempt decided: go ahead, or wait <see cref="RetryAfter"/>.</summary>
public readonly record struct RateDecision(bool Allowed, TimeSpan RetryAfter);

/// <summary>
/// Counts attempts in fixed windows. With Redis (REDIS_URL) every node counts in the same window, so N nodes behind a
/// load balancer allow what one node does. Without Redis, or while it does not answer, this node counts alone in
/// memory: a Redis outage must not turn every login into a 500 or an open door, and a per-node limit still stops a
/// flood at each node (it allows N times the limit across N nodes until Redis is back).
/// </summary>
public sealed class RateLimitCounter : IDisposable
{
    private const string KeyPrefix = "kamachat:ratelimit:";

    // The increment and the window's expiry in one step: a node dying between the two would leave a counter that never
    // resets, locking the address or account out for good.
    private const string IncrementScript = """
        local count = redis.call('INCRBY', KEYS[1], ARGV[1])
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          ttl = tonumber(ARGV[2])
        end
        return {count, ttl}
        """;

    /// <summary>A request waits no longer than this for Redis before the node counts it itself.</summary>
    private static readonly TimeSpan RedisPatience = TimeSpan.FromSeconds(1);

    private readonly IConnectionMultiplexer? _redis;
    private readonly ILogger<RateLimitCounter> _logger;
    private readonly PartitionedRateLimiter<Window> _local = PartitionedRateLimiter.Create<Window, Window>(window =>
        RateLimitPartition.GetFixedWindowLimiter(window, w => new FixedWindowRateLimiterOptions
        {
            PermitLimit = w.Limit,
            Window = w.Length,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    private int _redisFailing;

    public RateLimitCounter(IConnectionMultiplexer? redis, ILogger<RateLimitCounter> logger) => (_redis, _logger) = (redis, logger);

    private readonly record struct Window(string Key, int Limit, TimeSpan Length);

    /// <summary>Whether counters are shared with other nodes (Redis is configured; it may still be down).</summary>
    public bool IsShared => _redis is not null;

    /// <summary>
    /// The counter's name for one policy and one client (an address or an account). The client part is hashed: Redis
    /// need not hold email addresses, and every key has the same short length whatever was typed.
    /// </summary>
    public static string Key(RateLimitPolicy policy, string kind, string client) =>
        $"{policy}:{kind}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(client)).AsSpan(0, 16))}";

    /// <summary>Counts an attempt costing <paramref name="cost"/> (at most the limit) against <paramref name="limit"/> per <paramref name="window"/>.</summary>
    public async ValueTask<RateDecision> HitAsync(string key, int limit, TimeSpan window, int cost = 1)
    {
        cost = Math.Clamp(cost, 1, limit);
        if (_redis is not null && await HitSharedAsync(_redis, key, limit, window, cost) is { } shared)
            return shared;
        using var lease = _local.AttemptAcquire(new Window(key, limit, window), cost);
        if (lease.IsAcquired)
            return new RateDecision(true, TimeSpan.Zero);
        return new RateDecision(false, lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : window);
    }

    private async Task<RateDecision?> HitSharedAsync(IConnectionMultiplexer redis, string key, int limit, TimeSpan window, int cost)
    {
        // A disconnected multiplexer would queue the command until its own timeout: count here at once instead.
        if (!redis.IsConnected)
        {
            Failing(null);
            return null;
        }
        try
        {
            var result = await redis.GetDatabase()
                .ScriptEvaluateAsync(IncrementScript, new RedisKey[] { KeyPrefix + key }, new RedisValue[] { cost, (long)Math.Ceiling(window.TotalMilliseconds) })
                .WaitAsync(RedisPatience);
            var values = (RedisResult[])result!;
            var count = (long)values[0];
            Recovered();
            return count <= limit
                ? new RateDecision(true, TimeSpan.Zero)
                : new RateDecision(false, TimeSpan.FromMilliseconds(Math.Max(1, (long)values[1])));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Failing(e);
            return null;
        }
    }

    private void Failing(Exception? exception)
    {
        if (Interlocked.Exchange(ref _redisFailing, 1) == 0)
            _logger.LogWarning(exception, "Redis is not answering: rate limits are counted by this node alone (each node allows the full limit) until it does");
    }

    private void Recovered()
    {
        if (Volatile.Read(ref _redisFailing) == 1 && Interlocked.Exchange(ref _redisFailing, 0) == 1)
            _logger.LogInformation("Redis answers again: rate limits are shared by all nodes again");
    }

    public void Dispose() => _local.Dispose();
}

/// <summary>
/// One client's window in ASP.NET Core's rate-limiting middleware, counted by <see cref="RateLimitCounter"/>. Counting
/// may take a round trip to Redis, so nothing is decided synchronously: a refused synchronous attempt makes the
/// middleware await <see cref="AcquireAsyncCore"/>, where the counting happens.
/// </summary>
internal sealed class CountedWindowLimiter(RateLimitCounter counter, string key, int limit, TimeSpan window, TimeProvider time) : RateLimiter
{
    private long _lastUsed = time.GetTimestamp();

    // The count lives in the counter, not here: the middleware may drop this object whenever it is idle.
    public override TimeSpan? IdleDuration => time.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => CountedLease.Undecided;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastUsed, time.GetTimestamp());
        if (permitCount == 0)
            return CountedLease.Granted;
        var decision = await counter.HitAsync(key, limit, window);
        return decision.Allowed ? CountedLease.Granted : new CountedLease(false, decision.RetryAfter);
    }

    private sealed class CountedLease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly CountedLease Granted = new(true, null);
        public static readonly CountedLease Undecided = new(false, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? Array.Empty<string>() : new[] { MetadataName.RetryAfter.Name };

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter is { } wait && metadataName == MetadataName.RetryAfter.Name ? wait : null;
            return metadata is not null;
        }
    }
}
