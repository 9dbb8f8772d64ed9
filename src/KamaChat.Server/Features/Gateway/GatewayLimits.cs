using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// Limits how fast one connection may invoke hub methods (a token bucket per connection), so a flood of typing or
/// resumes slows that client down instead of the server. Excess calls fail with "rate_limited". Refusals (for the rate,
/// or for malformed or oversized calls) draw on a second bucket, the connection's patience: <see cref="RefusalAllowance"/>
/// refusals, earned back at the call rate. A connection that goes on calling while refused empties it and is closed:
/// every call a flooder sends costs the node its parsing, refused or not, while a client that backs off as told (or
/// sends one burst too many) never gets there.
/// </summary>
public sealed class GatewayRateLimitFilter(IOptions<GatewayOptions> options, ILogger<GatewayRateLimitFilter> logger) : IHubFilter
{
    public const int RefusalAllowance = 100;

    private const string LimiterKey = "kamachat.rate-limiter";
    private const string PatienceKey = "kamachat.patience";

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var context = invocationContext.Context;
        try
        {
            using (var lease = Bucket(context, LimiterKey, options.Value.CallBurst).AttemptAcquire())
                if (!lease.IsAcquired)
                    throw new HubException("rate_limited: Too many requests on this connection; slow down.");
            return await next(invocationContext);
        }
        catch (HubException e) when (e.Message.StartsWith("rate_limited:", StringComparison.Ordinal) ||
                                     e.Message.StartsWith("validation_failed:", StringComparison.Ordinal))
        {
            using var patience = Bucket(context, PatienceKey, RefusalAllowance).AttemptAcquire();
            if (!patience.IsAcquired)
            {
                logger.LogInformation("Closing gateway connection {ConnectionId}: it went on calling while refused", context.ConnectionId);
                context.Abort();
            }
            throw;
        }
    }

    /// <summary>The connection's bucket of this name, refilled at the call rate.</summary>
    private RateLimiter Bucket(HubCallerContext context, string key, int size)
    {
        if (context.Items.TryGetValue(key, out var value) && value is RateLimiter limiter)
            return limiter;
        limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = size,
            TokensPerPeriod = options.Value.CallsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
        context.Items[key] = limiter;
        return limiter;
    }

    public Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        foreach (var key in new[] { LimiterKey, PatienceKey })
            if (context.Context.Items.TryGetValue(key, out var value) && value is IDisposable limiter)
                limiter.Dispose();
        return next(context, exception);
    }
}

/// <summary>
/// New gateway connections one account may open on this node per minute (a token bucket per account): the cap on
/// connections held at once does not bound an account that closes and reopens them, and each one costs a Ready.
/// </summary>
public sealed class ConnectLimit(IOptions<GatewayOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<Snowflake> _limiter = PartitionedRateLimiter.Create<Snowflake, Snowflake>(userId =>
        RateLimitPartition.GetTokenBucketLimiter(userId, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.ConnectsPerMinute,
            TokensPerPeriod = options.Value.ConnectsPerMinute,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    public bool TryConnect(Snowflake userId)
    {
        using var lease = _limiter.AttemptAcquire(userId);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>
/// What Resume may cost one account per second on this node, across all its connections (a token bucket per account):
/// the per-connection call limit cannot bound the work of one call, nor an account that opens many connections.
/// </summary>
public sealed class ResumeBudget : IDisposable
{
    private readonly int _burst;
    private readonly PartitionedRateLimiter<Snowflake> _limiter;

    public ResumeBudget(IOptions<GatewayOptions> options)
    {
        var settings = options.Value;
        _burst = settings.ResumeCostBurst;
        _limiter = PartitionedRateLimiter.Create<Snowflake, Snowflake>(userId => RateLimitPartition.GetTokenBucketLimiter(userId, _ =>
            new TokenBucketRateLimiterOptions
            {
                TokenLimit = settings.ResumeCostBurst,
                TokensPerPeriod = settings.ResumeCostPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>Spends <paramref name="cost"/> of the account's budget, or refuses the call with "rate_limited" and when to retry.</summary>
    public void Charge(Snowflake userId, int cost)
    {
        if (cost <= 0)
            return;
        // A single call may cost more than the whole burst: it then needs the budget full.
        using var lease = _limiter.AttemptAcquire(userId, Math.Min(cost, _burst));
        if (lease.IsAcquired)
            return;
        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        throw new HubException(string.Create(CultureInfo.InvariantCulture,
            $"rate_limited: Resume is limited per account; retry in {Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))} s."));
    }

    public void Dispose() => _limiter.Dispose();
}
