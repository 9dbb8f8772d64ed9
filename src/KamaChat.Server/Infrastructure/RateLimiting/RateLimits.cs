using System.Globalization;
using System.Threading.RateLimiting;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.RateLimiting;

/// <summary>How many attempts one client address, and one account, may make within a window.</summary>
public sealed class RateLimitRule
{
    public int PerIp { get; set; }

    public int PerAccount { get; set; }

    public TimeSpan Window { get; set; }
}

/// <summary>
/// Limits on the endpoints that guess-and-check attacks aim at. Bound from configuration section
/// <c>RateLimits</c> (e.g. <c>RateLimits__Login__PerIp=30</c> as an environment variable).
/// </summary>
public sealed class RateLimitOptions
{
    public RateLimitRule Register { get; set; } = new() { PerIp = 10, PerAccount = 5, Window = TimeSpan.FromHours(1) };

    public RateLimitRule Login { get; set; } = new() { PerIp = 30, PerAccount = 10, Window = TimeSpan.FromMinutes(1) };

    public RateLimitRule Mfa { get; set; } = new() { PerIp = 30, PerAccount = 10, Window = TimeSpan.FromMinutes(5) };

    public RateLimitRule VerificationResend { get; set; } = new() { PerIp = 10, PerAccount = 3, Window = TimeSpan.FromMinutes(15) };

    public RateLimitRule PasswordReset { get; set; } = new() { PerIp = 10, PerAccount = 3, Window = TimeSpan.FromHours(1) };

    /// <summary>Messages one account may send: enough for a fast typist or a paste of lines, not for a spam script.</summary>
    public RateLimitRule MessageSend { get; set; } = new() { PerIp = 100_000, PerAccount = 20, Window = TimeSpan.FromSeconds(10) };

    /// <summary>Searches one account may run: a person refining a query types a few a second at most; a scraper wants thousands.</summary>
    public RateLimitRule Search { get; set; } = new() { PerIp = 100_000, PerAccount = 10, Window = TimeSpan.FromSeconds(10) };

    /// <summary>
    /// Friend requests and blocks one account may make: a person adds a few friends at a time; a spammer requests thousands.
    /// </summary>
    public RateLimitRule FriendRequest { get; set; } = new() { PerIp = 100_000, PerAccount = 20, Window = TimeSpan.FromMinutes(10) };

    public RateLimitRule Rule(RateLimitPolicy policy) => policy switch
    {
        RateLimitPolicy.Register => Register,
        RateLimitPolicy.Login => Login,
        RateLimitPolicy.Mfa => Mfa,
        RateLimitPolicy.VerificationResend => VerificationResend,
        RateLimitPolicy.PasswordReset => PasswordReset,
        RateLimitPolicy.MessageSend => MessageSend,
        RateLimitPolicy.Search => Search,
        RateLimitPolicy.FriendRequest => FriendRequest,
        _ => throw new ArgumentOutOfRangeException(nameof(policy)),
    };
}

public enum RateLimitPolicy
{
    Register,
    Login,
    Mfa,
    VerificationResend,
    PasswordReset,
    MessageSend,
    Search,
    FriendRequest,
}

internal sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        foreach (var policy in Enum.GetValues<RateLimitPolicy>())
        {
            var rule = options.Rule(policy);
            if (rule.PerIp < 1 || rule.PerAccount < 1 || rule.Window <= TimeSpan.Zero)
                return ValidateOptionsResult.Fail($"RateLimits:{policy} needs PerIp and PerAccount of at least 1 and a positive Window.");
        }
        return ValidateOptionsResult.Success;
    }
}

/// <summary>
/// Per-account limits. The account (a login name, an email address, a user id) is often only known once the
/// body is read, after the rate-limiting middleware has run, so handlers ask this directly.
/// </summary>
public sealed class AccountRateLimiter(IOptions<RateLimitOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<(RateLimitPolicy Policy, string Account)> _limiter =
        PartitionedRateLimiter.Create<(RateLimitPolicy Policy, string Account), (RateLimitPolicy, string)>(key =>
            RateLimitPartition.GetFixedWindowLimiter(key, k => WindowOf(options.Value.Rule(k.Item1))));

    /// <returns>Null when the attempt may go ahead; otherwise the 429 to answer (Retry-After is already set).</returns>
    public ProblemHttpResult? TryAcquire(RateLimitPolicy policy, string account, HttpContext http)
    {
        using var lease = _limiter.AttemptAcquire((policy, account.Trim().ToUpperInvariant()));
        if (lease.IsAcquired)
            return null;
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : options.Value.Rule(policy).Window;
        return RateLimiting.Limited(http, retryAfter);
    }

    internal static FixedWindowRateLimiterOptions WindowOf(RateLimitRule rule) => new()
    {
        PermitLimit = rule.PerAccount,
        Window = rule.Window,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    public void Dispose() => _limiter.Dispose();
}

public static class RateLimiting
{
    public static string PolicyName(RateLimitPolicy policy) => "ip-" + policy.ToString().ToLowerInvariant();

    /// <summary>Per-IP limits through ASP.NET Core's rate limiter, one named policy per <see cref="RateLimitPolicy"/>.</summary>
    public static IHostApplicationBuilder AddRateLimits(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RateLimitOptions>().BindConfiguration("RateLimits").ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddSingleton<AccountRateLimiter>();
        services.AddRateLimiter(limiter =>
        {
            foreach (var policy in Enum.GetValues<RateLimitPolicy>())
                limiter.AddPolicy(PolicyName(policy), http =>
                {
                    var rule = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.Rule(policy);
                    var ip = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                    return RateLimitPartition.GetFixedWindowLimiter(ip, _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = rule.PerIp,
                        Window = rule.Window,
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    });
                });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                await Limited(context.HttpContext, retryAfter).ExecuteAsync(context.HttpContext);
            };
        });
        return builder;
    }

    internal static ProblemHttpResult Limited(HttpContext http, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problems.Of(StatusCodes.Status429TooManyRequests, "rate_limited",
            "Too many attempts; wait a little and try again.", new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds });
    }

    public static TBuilder RequireRateLimit<TBuilder>(this TBuilder endpoint, RateLimitPolicy policy)
        where TBuilder : IEndpointConventionBuilder =>
        endpoint.RequireRateLimiting(PolicyName(policy));
}
