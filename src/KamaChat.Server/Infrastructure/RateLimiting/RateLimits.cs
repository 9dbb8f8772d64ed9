using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using KamaChat.Server.Features.Gateway;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

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

    /// <summary>Files one account may upload (PerIp is not used: uploads are counted per account).</summary>
    public RateLimitRule Upload { get; set; } = new() { PerIp = 100_000, PerAccount = 30, Window = TimeSpan.FromMinutes(1) };

    /// <summary>KiB one account may upload (250 MiB a minute by default); counted as the bytes arrive.</summary>
    public RateLimitRule UploadBytes { get; set; } = new() { PerIp = 100_000, PerAccount = 250 * 1024, Window = TimeSpan.FromMinutes(1) };

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
        RateLimitPolicy.Upload => Upload,
        RateLimitPolicy.UploadBytes => UploadBytes,
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
    Upload,
    UploadBytes,
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
public sealed class AccountRateLimiter(IOptions<RateLimitOptions> options, RateLimitCounter counter)
{
    /// <returns>Null when the attempt may go ahead; otherwise the 429 to answer (Retry-After is already set).</returns>
    /// <param name="cost">How many units this attempt counts for (KiB for <see cref="RateLimitPolicy.UploadBytes"/>).</param>
    public async ValueTask<ProblemHttpResult?> TryAcquireAsync(RateLimitPolicy policy, string account, HttpContext http, int cost = 1)
    {
        var rule = options.Value.Rule(policy);
        var decision = await counter.HitAsync(KeyOf(policy, account), rule.PerAccount, rule.Window, cost);
        return decision.Allowed ? null : RateLimiting.Limited(http, decision.RetryAfter);
    }

    /// <summary>At most this many account counters' names are remembered; past it they are forgotten all at once and hashed again.</summary>
    private const int RememberedKeys = 100_000;

    /// <summary>
    /// The counters' names by policy and account as given: the same account asks with every request (every message
    /// sent), and hashing its name each time was 3% of the node's CPU per send.
    /// </summary>
    private readonly ConcurrentDictionary<(RateLimitPolicy Policy, string Account), string> _keys = new();

    private string KeyOf(RateLimitPolicy policy, string account)
    {
        if (_keys.TryGetValue((policy, account), out var key))
            return key;
        if (_keys.Count >= RememberedKeys)
            _keys.Clear();
        return _keys[(policy, account)] = RateLimitCounter.Key(policy, "account", account.Trim().ToUpperInvariant());
    }
}

public static class RateLimiting
{
    public static string PolicyName(RateLimitPolicy policy) => "ip-" + policy.ToString().ToLowerInvariant();

    /// <summary>
    /// Per-IP limits through ASP.NET Core's rate limiter, one named policy per <see cref="RateLimitPolicy"/>, and per-account
    /// limits (<see cref="AccountRateLimiter"/>); both counted by <see cref="RateLimitCounter"/>.
    /// </summary>
    public static IHostApplicationBuilder AddRateLimits(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RateLimitOptions>().BindConfiguration("RateLimits").ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddSingleton<AccountRateLimiter>();
        // Shared by every node through Redis when REDIS_URL is set; this node's memory otherwise.
        var redisUrl = builder.Configuration["REDIS_URL"];
        if (string.IsNullOrWhiteSpace(redisUrl))
        {
            services.AddSingleton(sp => new RateLimitCounter(null, sp.GetRequiredService<ILogger<RateLimitCounter>>()));
        }
        else
        {
            RedisConfiguration.AddConnection(services, redisUrl);
            services.AddSingleton(sp => new RateLimitCounter(
                sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<ILogger<RateLimitCounter>>()));
        }
        services.AddRateLimiter(limiter =>
        {
            foreach (var policy in Enum.GetValues<RateLimitPolicy>())
                limiter.AddPolicy(PolicyName(policy), http =>
                {
                    var requestServices = http.RequestServices;
                    var rule = requestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.Rule(policy);
                    var (counter, time) = (requestServices.GetRequiredService<RateLimitCounter>(), requestServices.GetRequiredService<TimeProvider>());
                    var ip = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                    return RateLimitPartition.Get(ip, _ => new CountedWindowLimiter(counter, RateLimitCounter.Key(policy, "ip", ip), rule.PerIp, rule.Window, time));
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
