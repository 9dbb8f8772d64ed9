using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Users;
using KamaChat.Server.Infrastructure.Http;
using KamaChat.Server.Infrastructure.Jobs;
using KamaChat.Server.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace KamaChat.Server.Features.Account;

/// <summary>Email verification, changing email and password, and password reset.</summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccount(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("Account");
        auth.MapPost("/verify-email", VerifyEmailAsync).AllowAnonymous()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        auth.MapPost("/verify-email/resend", ResendVerificationAsync).RequireAuthorization()
            .RequireRateLimit(RateLimitPolicy.VerificationResend)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        auth.MapPost("/confirm-email-change", ConfirmEmailChangeAsync).AllowAnonymous()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        auth.MapPost("/password-reset", RequestPasswordResetAsync).AllowAnonymous()
            .RequireRateLimit(RateLimitPolicy.PasswordReset)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        auth.MapPost("/password-reset/confirm", ConfirmPasswordResetAsync).AllowAnonymous()
            .RequireRateLimit(RateLimitPolicy.PasswordReset)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        var me = app.MapGroup("/api/v1/users/@me").WithTags("Account").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        me.MapPost("/email", ChangeEmailAsync)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        me.MapPost("/password", ChangePasswordAsync)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task<Results<Ok<MeResponse>, ValidationProblem, ProblemHttpResult>> VerifyEmailAsync(
        VerifyEmailRequest request, UserManager<User> users)
    {
        if (await FindAsync(users, request.UserId) is not { } user)
            return InvalidToken();
        var result = await users.ConfirmEmailAsync(user, request.Token);
        if (!result.Succeeded)
            return InvalidToken();
        // Confirming does not change the stamp by itself; changing it spends this token (and older ones).
        await users.UpdateSecurityStampAsync(user);
        return TypedResults.Ok(MeResponse.From(user));
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> ResendVerificationAsync(
        CurrentUser me, UserManager<User> users, AccountEmails emails, AccountRateLimiter limiter, HttpContext http,
        CancellationToken cancellationToken)
    {
        var userId = me.Id.ToString();
        if (await limiter.TryAcquireAsync(RateLimitPolicy.VerificationResend, userId, http) is { } limited)
            return limited;
        if (await users.FindByIdAsync(userId) is not { } user)
            return Problems.NotFound("The user");
        if (user.EmailConfirmed)
            return Problems.Conflict("email_already_verified", "This email address is already verified.");
        await emails.SendVerificationAsync(user, cancellationToken);
        return TypedResults.Accepted((string?)null);
    }

    private static async Task<Results<Accepted, ValidationProblem, ProblemHttpResult>> ChangeEmailAsync(
        ChangeEmailRequest request, CurrentUser me, UserManager<User> users, AccountEmails emails,
        CancellationToken cancellationToken)
    {
        if (await users.FindByIdAsync(me.Id.ToString()) is not { } user)
            return Problems.NotFound("The user");
        if (!await users.CheckPasswordAsync(user, request.Password))
            return InvalidPassword("password");
        var newEmail = request.NewEmail.Trim();
        if (string.Equals(users.NormalizeEmail(newEmail), user.NormalizedEmail, StringComparison.Ordinal))
            return Problems.Validation("newEmail", "This is already your email address.");
        if (await users.FindByEmailAsync(newEmail) is not null)
            return Problems.Conflict("email_taken", "An account with this email address already exists.");
        // Nothing changes until the new address proves it is reachable and theirs.
        await emails.SendEmailChangeConfirmationAsync(user, newEmail, cancellationToken);
        return TypedResults.Accepted((string?)null);
    }

    private static async Task<Results<Ok<MeResponse>, ValidationProblem, ProblemHttpResult>> ConfirmEmailChangeAsync(
        ConfirmEmailChangeRequest request, UserManager<User> users)
    {
        if (await FindAsync(users, request.UserId) is not { } user)
            return InvalidToken();
        var newEmail = request.NewEmail.Trim();
        IdentityResult result;
        try
        {
            result = await users.ChangeEmailAsync(user, newEmail, request.Token);
        }
        catch (Microsoft.EntityFrameworkCore.DbUpdateException)
        {
            // Someone took the address between the request and the confirmation; the unique index caught it.
            return Problems.Conflict("email_taken", "An account with this email address already exists.");
        }
        if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.DuplicateEmail)))
            return Problems.Conflict("email_taken", "An account with this email address already exists.");
        return result.Succeeded ? TypedResults.Ok(MeResponse.From(user)) : InvalidToken();
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangePasswordAsync(
        ChangePasswordRequest request, CurrentUser me, UserManager<User> users, TokenService tokens,
        CancellationToken cancellationToken)
    {
        if (await users.FindByIdAsync(me.Id.ToString()) is not { } user)
            return Problems.NotFound("The user");
        var result = await users.ChangePasswordAsync(user, request.CurrentPassword, request.NewPassword);
        if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch)))
            return InvalidPassword("currentPassword");
        if (!result.Succeeded)
            return PasswordErrors(result, "newPassword");
        // Whoever might know the old password is signed out everywhere but here.
        await tokens.RevokeAllAsync(user.Id, me.SessionId, "password_changed", cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Always 202, and always the same work on the request path (one enqueue): whether the address has an
    /// account is decided later by the job, so neither the answer nor its timing tells.
    /// </summary>
    private static async Task<Results<Accepted, ProblemHttpResult>> RequestPasswordResetAsync(
        PasswordResetRequest request, IJobQueue jobs, AccountRateLimiter limiter, HttpContext http, CancellationToken cancellationToken)
    {
        var email = request.Email.Trim();
        if (await limiter.TryAcquireAsync(RateLimitPolicy.PasswordReset, email, http) is { } limited)
            return limited;
        await jobs.EnqueueAsync(new PasswordResetRequestedJob(email), cancellationToken);
        return TypedResults.Accepted((string?)null);
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ConfirmPasswordResetAsync(
        ConfirmPasswordResetRequest request, UserManager<User> users, TokenService tokens, CancellationToken cancellationToken)
    {
        if (await FindAsync(users, request.UserId) is not { } user)
            return InvalidToken();
        var result = await users.ResetPasswordAsync(user, request.Token, request.NewPassword);
        if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken)))
            return InvalidToken();
        if (!result.Succeeded)
            return PasswordErrors(result, "newPassword");
        // Whoever had the account (or a stolen session) is out; the owner proved control of the mailbox.
        await tokens.RevokeAllAsync(user.Id, exceptSessionId: null, "password_reset", cancellationToken);
        await users.ResetAccessFailedCountAsync(user);
        await users.SetLockoutEndDateAsync(user, null);
        return TypedResults.NoContent();
    }

    private static async Task<User?> FindAsync(UserManager<User> users, string userId) =>
        Snowflake.TryParse(userId, out _) ? await users.FindByIdAsync(userId) : null;

    internal static ProblemHttpResult InvalidToken() =>
        Problems.Of(StatusCodes.Status400BadRequest, "invalid_token", "This link is invalid, expired or already used; ask for a new one.");

    internal static ProblemHttpResult InvalidPassword(string field) =>
        Problems.Of(StatusCodes.Status400BadRequest, "invalid_password", "The password is incorrect.",
            new Dictionary<string, object?> { ["field"] = field });

    private static ValidationProblem PasswordErrors(IdentityResult result, string field) =>
        Problems.Validation(new Dictionary<string, string[]> { [field] = result.Errors.Select(e => e.Description).ToArray() });
}

/// <summary>Someone asked to reset the password of this address; the job decides whether there is an account to mail.</summary>
public sealed record PasswordResetRequestedJob(string Email) : IJob
{
    public static string JobType => "password-reset-requested";
}

internal sealed class PasswordResetRequestedJobHandler(UserManager<User> users, AccountEmails emails) : IJobHandler<PasswordResetRequestedJob>
{
    // A redelivery sends a second link; both work until one is used, which is harmless.
    public async Task HandleAsync(PasswordResetRequestedJob job, JobContext context, CancellationToken cancellationToken)
    {
        if (await users.FindByEmailAsync(job.Email) is { } user)
            await emails.SendPasswordResetAsync(user, cancellationToken);
    }
}
