using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// Limits how fast one connection may invoke hub methods (a token bucket per connection), so a flood of typing or
/// resumes slows that client down instead of the server. Excess calls fail with "rate_limited". A connection that goes
/// on calling while it is refused (<see cref="RefusalsBeforeClosing"/> refused calls in a row, for its rate or for
/// malformed or oversized calls) is closed: a client that honours "rate_limited" never gets there, and every call a
/// flooder sends costs the node its parsing, refused or not.
/// </summary>
public sealed class GatewayRateLimitFilter(IOptions<GatewayOptions> options, ILogger<GatewayRateLimitFilter> logger) : IHubFilter
{
    public const int RefusalsBeforeClosing = 20;

    private const string LimiterKey = "kamachat.rate-limiter";
    private const string RefusalsKey = "kamachat.refusals-in-a-row";

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var context = invocationContext.Context;
        var items = context.Items;
        if (!items.TryGetValue(LimiterKey, out var value) || value is not RateLimiter limiter)
        {
            limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = options.Value.CallBurst,
                TokensPerPeriod = options.Value.CallsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
            items[LimiterKey] = limiter;
        }
        try
        {
            using (var lease = limiter.AttemptAcquire())
                if (!lease.IsAcquired)
                    throw new HubException("rate_limited: Too many requests on this connection; slow down.");
            var result = await next(invocationContext);
            items[RefusalsKey] = 0;
            return result;
        }
        catch (HubException e) when (e.Message.StartsWith("rate_limited:", StringComparison.Ordinal) ||
                                     e.Message.StartsWith("validation_failed:", StringComparison.Ordinal))
        {
            var refusals = (items.TryGetValue(RefusalsKey, out var count) && count is int n ? n : 0) + 1;
            items[RefusalsKey] = refusals;
            if (refusals >= RefusalsBeforeClosing)
            {
                logger.LogInformation("Closing gateway connection {ConnectionId}: {Refusals} calls in a row refused", context.ConnectionId, refusals);
                context.Abort();
            }
            throw;
        }
    }

    public Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        if (context.Context.Items.TryGetValue(LimiterKey, out var value) && value is IDisposable limiter)
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
