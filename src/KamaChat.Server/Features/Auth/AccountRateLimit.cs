using KamaChat.Server.Infrastructure.RateLimiting;

namespace KamaChat.Server.Features.Auth;

/// <summary>Per-account rate limits declared on signed-in endpoints: <c>.RequireAccountRateLimit(RateLimitPolicy.Search)</c>.</summary>
public static class AccountRateLimit
{
    /// <summary>
    /// The caller's account may make <paramref name="policy"/>'s number of requests per window; more answer 429 <c>rate_limited</c>
    /// with <c>Retry-After</c>. Declare it before the permission filter, so a flood costs the flooder a 429, not the server a query.
    /// </summary>
    public static RouteHandlerBuilder RequireAccountRateLimit(this RouteHandlerBuilder endpoint, RateLimitPolicy policy) =>
        endpoint.AddEndpointFilter(async (invocation, next) =>
        {
            var http = invocation.HttpContext;
            var limiter = http.RequestServices.GetRequiredService<AccountRateLimiter>();
            return await limiter.TryAcquireAsync(policy, CurrentUser.From(http.User).Id.ToString(), http) is { } limited
                ? limited
                : await next(invocation);
        }).ProducesProblem(StatusCodes.Status429TooManyRequests);
}
