using System.Globalization;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Account;
using KamaChat.Server.Features.Users;
using KamaChat.Server.Infrastructure.Http;
using KamaChat.Server.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Auth;

/// <summary>Registration, login, token refresh, logout and the session list.</summary>
public static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/auth").WithTags("Auth");
        group.MapPost("/register", RegisterAsync).AllowAnonymous()
            .RequireRateLimit(RateLimitPolicy.Register)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/login", LoginAsync).AllowAnonymous()
            .RequireRateLimit(RateLimitPolicy.Login)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/refresh", RefreshAsync).AllowAnonymous()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        group.MapPost("/logout", LogoutAsync).RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        group.MapGet("/sessions", ListSessionsAsync).RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        group.MapDelete("/sessions/{id:snowflake}", RevokeSessionAsync).RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Created<AuthTokens>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterRequest request, UserManager<User> users, TokenService tokens, SnowflakeGenerator ids, TimeProvider time,
        AccountEmails emails, AccountRateLimiter limiter, HttpContext http, CancellationToken cancellationToken)
    {
        if (AccountDeletion.IsReservedName(request.Username))
            return Problems.Validation("username", $"Names starting with '{AccountDeletion.TombstonePrefix}' are reserved.");
        if (await limiter.TryAcquireAsync(RateLimitPolicy.Register, request.Email, http) is { } limited)
            return limited;
        var user = new User
        {
            Id = ids.NextId(),
            UserName = request.Username,
            Email = request.Email.Trim(),
            CreatedAt = time.GetUtcNow(),
        };

        IdentityResult result;
        try
        {
            result = await users.CreateAsync(user, request.Password);
        }
        catch (DbUpdateException)
        {
            // Lost a race with a concurrent sign-up for the same name or address: the unique index caught it.
            return await users.FindByEmailAsync(user.Email) is not null
                ? Problems.Conflict("email_taken", "An account with this email address already exists.")
                : Problems.Conflict("username_taken", "This username is taken.");
        }
        if (!result.Succeeded)
            return IdentityFailure(result);

        await emails.TrySendVerificationAsync(user, cancellationToken);
        var session = await tokens.StartSessionAsync(user, UserAgent(http), http.Connection.RemoteIpAddress?.ToString(), cancellationToken);
        return TypedResults.Created("/api/v1/users/@me", session);
    }

    private static async Task<Results<Ok<AuthTokens>, Ok<MfaChallenge>, ProblemHttpResult>> LoginAsync(
        LoginRequest request, UserManager<User> users, SignInManager<User> signIn, TokenService tokens, MfaTickets tickets,
        AccountEmails emails, AccountRateLimiter limiter, UnknownLogins unknownLogins, HttpContext http, CancellationToken cancellationToken)
    {
        var login = request.Login.Trim();
        if (await limiter.TryAcquireAsync(RateLimitPolicy.Login, login, http) is { } limited)
            return limited;
        var user = login.Contains('@', StringComparison.Ordinal) ? await users.FindByEmailAsync(login) : await users.FindByNameAsync(login);
        if (user is null)
        {
            // Spend the same time as a real password check, and lock the name out as an account would be, so neither
            // the answers nor their timing tell which accounts exist.
            users.PasswordHasher.VerifyHashedPassword(new User(), TimingHash.Value, request.Password);
            return await unknownLogins.FailedAsync(login, cancellationToken) is { } lockedUntil ? Locked(lockedUntil, http) : InvalidCredentials();
        }

        var result = await signIn.CheckPasswordSignInAsync(user, request.Password, lockoutOnFailure: true);
        if (result.IsLockedOut)
            return Locked(user, http);
        if (!result.Succeeded)
            return InvalidCredentials();

        // With 2FA on, the password only earns a short-lived ticket for the second step (POST /login/mfa).
        if (user.TwoFactorEnabled)
            return TypedResults.Ok(new MfaChallenge(true, tickets.Issue(user), (int)tickets.Lifetime.TotalSeconds));

        return TypedResults.Ok(await StartSessionAsync(user, tokens, emails, http, cancellationToken));
    }

    /// <summary>Starts a session for a user who passed every factor, and mails an alert when the device is new to the account.</summary>
    internal static async Task<AuthTokens> StartSessionAsync(User user, TokenService tokens, AccountEmails emails, HttpContext http,
        CancellationToken cancellationToken)
    {
        var userAgent = UserAgent(http);
        var ip = http.Connection.RemoteIpAddress?.ToString();
        var issued = await tokens.StartSessionAsync(user, userAgent, ip, cancellationToken);
        await emails.AlertIfUnfamiliarSignInAsync(user, issued.SessionId, userAgent, ip, cancellationToken);
        return issued;
    }

    internal static ProblemHttpResult Locked(User user, HttpContext http) => Locked(user.LockoutEnd, http);

    private static ProblemHttpResult Locked(DateTimeOffset? lockoutEnd, HttpContext http)
    {
        var retryAfter = lockoutEnd is { } end ? Math.Max(1, (int)Math.Ceiling((end - DateTimeOffset.UtcNow).TotalSeconds)) : 60;
        http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        return Problems.Of(StatusCodes.Status429TooManyRequests, "account_locked",
            "Too many failed sign-in attempts. The account is locked for a while; try again later.",
            new Dictionary<string, object?> { ["retryAfterSeconds"] = retryAfter });
    }

    private static async Task<Results<Ok<AuthTokens>, ProblemHttpResult>> RefreshAsync(
        RefreshRequest request, TokenService tokens, CancellationToken cancellationToken)
    {
        var (issued, failure) = await tokens.RefreshAsync(request.RefreshToken, cancellationToken);
        return failure switch
        {
            TokenService.RefreshFailure.None => TypedResults.Ok(issued!),
            TokenService.RefreshFailure.Reused => Problems.Unauthorized("refresh_token_reused",
                "This refresh token was already used. The session has been signed out; sign in again."),
            TokenService.RefreshFailure.SessionEnded => Problems.Unauthorized("session_revoked", "This session was signed out; sign in again."),
            _ => Problems.Unauthorized("invalid_refresh_token", "The refresh token is not valid."),
        };
    }

    private static async Task<NoContent> LogoutAsync(CurrentUser user, TokenService tokens, CancellationToken cancellationToken)
    {
        await tokens.RevokeAsync(user.SessionId, "logout", cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<SessionResponse>>> ListSessionsAsync(
        CurrentUser user, KamaDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var (userId, current) = (user.Id, user.SessionId);
        var now = time.GetUtcNow();
        var sessions = await db.Sessions.AsNoTracking()
            .Where(s => s.UserId == userId && s.RevokedAt == null && s.ExpiresAt > now)
            .OrderByDescending(s => s.Id)
            .Select(s => new { s.Id, s.CreatedAt, s.LastUsedAt, s.ExpiresAt, s.UserAgent, s.IpAddress })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(sessions
            .Select(s => new SessionResponse(s.Id, s.CreatedAt, s.LastUsedAt, s.ExpiresAt,
                s.UserAgent, s.IpAddress, s.Id == current))
            .ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeSessionAsync(
        Snowflake id, CurrentUser user, KamaDbContext db, TokenService tokens, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        // Someone else's session is "not found", not "forbidden": its existence is none of the caller's business.
        if (!await db.Sessions.AnyAsync(s => s.Id == id && s.UserId == userId && s.RevokedAt == null, cancellationToken))
            return Problems.NotFound("The session");
        await tokens.RevokeAsync(id, "revoked_by_user", cancellationToken);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult InvalidCredentials() =>
        Problems.Unauthorized("invalid_credentials", "The login or password is incorrect.");

    private static Results<Created<AuthTokens>, ValidationProblem, ProblemHttpResult> IdentityFailure(IdentityResult result)
    {
        var codes = result.Errors.Select(e => e.Code).ToHashSet(StringComparer.Ordinal);
        if (codes.Contains(nameof(IdentityErrorDescriber.DuplicateEmail)))
            return Problems.Conflict("email_taken", "An account with this email address already exists.");
        if (codes.Contains(nameof(IdentityErrorDescriber.DuplicateUserName)))
            return Problems.Conflict("username_taken", "This username is taken.");

        var errors = result.Errors
            .GroupBy(e => e.Code switch
            {
                _ when e.Code.Contains("Email", StringComparison.Ordinal) => "email",
                _ when e.Code.Contains("UserName", StringComparison.Ordinal) => "username",
                _ => "password",
            })
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray());
        return Problems.Validation(errors);
    }

    private static string? UserAgent(HttpContext http) => http.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua : null;

    private static readonly Lazy<string> TimingHash = new(() => new PasswordHasher<User>().HashPassword(new User(), "timing-equaliser"));
}
