using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Account;

/// <summary>
/// The "VerifiedEmail" policy for endpoints that let a user reach others (sending messages, joining servers):
/// when REQUIRE_EMAIL_VERIFICATION is on, an unverified account gets 403 <c>email_not_verified</c>.
/// Checked against the database, not a claim, so it takes effect the moment the address is verified.
/// </summary>
public static class VerifiedEmailPolicy
{
    public const string Name = "VerifiedEmail";
}

public sealed class VerifiedEmailRequirement : IAuthorizationRequirement;

/// <remarks>
/// Authorization builds every handler for every authorized request, the gateway's long-lived WebSocket included:
/// the DbContext is therefore taken only when this requirement is actually evaluated, in a scope of its own, rather
/// than injected (which kept one alive per gateway connection).
/// </remarks>
internal sealed class VerifiedEmailHandler(IServiceScopeFactory scopes, IOptions<AccountOptions> options) : AuthorizationHandler<VerifiedEmailRequirement>
{
    // A verified address stays verified (an email change only takes effect once the new address is confirmed),
    // so a yes is remembered and message sends do not pay a query each; a no is always checked again.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Snowflake, byte> _verified = new();

    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, VerifiedEmailRequirement requirement)
    {
        if (!options.Value.RequireEmailVerification)
        {
            context.Succeed(requirement);
            return;
        }
        if (!context.User.TryGetUserId(out var userId))
            return;
        if (_verified.ContainsKey(userId))
        {
            context.Succeed(requirement);
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        if (await db.Users.AnyAsync(u => u.Id == userId && u.EmailConfirmed))
        {
            if (_verified.Count > 1_000_000)
                _verified.Clear();
            _verified.TryAdd(userId, 0);
            context.Succeed(requirement);
        }
    }
}

/// <summary>Turns a failed VerifiedEmail requirement into a problem with its own code; everything else as the framework does it.</summary>
internal sealed class ProblemAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden &&
            authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<VerifiedEmailRequirement>().Any() == true)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status403Forbidden,
                    Detail = "Verify your email address first: follow the link we sent you, or ask for a new one.",
                    Extensions = { ["code"] = "email_not_verified" },
                },
            });
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
