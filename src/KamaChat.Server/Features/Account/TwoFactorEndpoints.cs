using System.Globalization;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Users;
using KamaChat.Server.Infrastructure.Http;
using KamaChat.Server.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using QRCoder;

namespace KamaChat.Server.Features.Account;

/// <summary>TOTP two-factor authentication: enrolment, recovery codes, turning it off, and the second login step.</summary>
public static class TwoFactorEndpoints
{
    private const string Issuer = "KamaChat";

    public static IEndpointRouteBuilder MapTwoFactor(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/auth/2fa").WithTags("Two-factor").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        group.MapGet("/", GetStatusAsync);
        group.MapPost("/enroll", EnrollAsync).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/confirm", ConfirmAsync)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/disable", DisableAsync)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/recovery-codes", RegenerateRecoveryCodesAsync)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);

        app.MapPost("/api/v1/auth/login/mfa", LoginWithSecondFactorAsync).WithTags("Auth").AllowAnonymous()
            .RequireRateLimit(RateLimitPolicy.Mfa)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static async Task<Results<Ok<TwoFactorStatus>, ProblemHttpResult>> GetStatusAsync(CurrentUser me, UserManager<User> users)
    {
        if (await CurrentUserAsync(me, users) is not { } user)
            return Problems.NotFound("The user");
        return TypedResults.Ok(new TwoFactorStatus(user.TwoFactorEnabled, user.TwoFactorEnabled ? await users.CountRecoveryCodesAsync(user) : 0));
    }

    /// <summary>Starts (or restarts) enrolment with a fresh secret; 2FA is on only after <see cref="ConfirmAsync"/>.</summary>
    private static async Task<Results<Ok<TwoFactorEnrollment>, ProblemHttpResult>> EnrollAsync(CurrentUser me, UserManager<User> users)
    {
        if (await CurrentUserAsync(me, users) is not { } user)
            return Problems.NotFound("The user");
        if (user.TwoFactorEnabled)
            return AlreadyEnabled();
        await users.ResetAuthenticatorKeyAsync(user);
        var secret = (await users.GetAuthenticatorKeyAsync(user))!;
        var label = Uri.EscapeDataString($"{Issuer}:{user.UserName}");
        var uri = $"otpauth://totp/{label}?secret={secret}&issuer={Issuer}&algorithm=SHA1&digits={Totp.Digits}&period={Totp.StepSeconds}";
        using var generator = new QRCodeGenerator();
        using var qr = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(qr).GetGraphic(4);
        return TypedResults.Ok(new TwoFactorEnrollment(secret, uri, svg));
    }

    private static async Task<Results<Ok<RecoveryCodesResponse>, ProblemHttpResult>> ConfirmAsync(
        TwoFactorCodeRequest request, CurrentUser me, UserManager<User> users, TokenService tokens, AccountEmails emails,
        CancellationToken cancellationToken)
    {
        if (await CurrentUserAsync(me, users) is not { } user)
            return Problems.NotFound("The user");
        if (user.TwoFactorEnabled)
            return AlreadyEnabled();
        if (string.IsNullOrEmpty(await users.GetAuthenticatorKeyAsync(user)))
            return Problems.Of(StatusCodes.Status400BadRequest, "two_factor_not_enrolled", "Start with POST /api/v1/auth/2fa/enroll.");
        if (!await users.VerifyTwoFactorTokenAsync(user, ReplayProtectedAuthenticatorTokenProvider.ProviderName, request.Code))
            return InvalidCode();

        await users.SetTwoFactorEnabledAsync(user, true);
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodes.Count))!.ToList();
        await AfterChangeAsync(user, me, tokens, emails, "Two-factor authentication was turned on", cancellationToken);
        return TypedResults.Ok(new RecoveryCodesResponse(codes));
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DisableAsync(
        DisableTwoFactorRequest request, CurrentUser me, UserManager<User> users, TokenService tokens, AccountEmails emails,
        CancellationToken cancellationToken)
    {
        if (await CurrentUserAsync(me, users) is not { } user)
            return Problems.NotFound("The user");
        if (!user.TwoFactorEnabled)
            return NotEnabled();
        if (OneSecondFactor(request.Code, request.RecoveryCode) is { } invalid)
            return invalid;
        if (!await users.CheckPasswordAsync(user, request.Password))
            return AccountEndpoints.InvalidPassword("password");
        if (!await VerifySecondFactorAsync(users, user, request.Code, request.RecoveryCode))
            return InvalidCode();

        await users.SetTwoFactorEnabledAsync(user, false);
        // A new key nobody has, and no recovery codes: the old authenticator entry and printed codes are dead.
        await users.ResetAuthenticatorKeyAsync(user);
        await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 0);
        await AfterChangeAsync(user, me, tokens, emails, "Two-factor authentication was turned off", cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<RecoveryCodesResponse>, ProblemHttpResult>> RegenerateRecoveryCodesAsync(
        TwoFactorCodeRequest request, CurrentUser me, UserManager<User> users, TokenService tokens, AccountEmails emails,
        CancellationToken cancellationToken)
    {
        if (await CurrentUserAsync(me, users) is not { } user)
            return Problems.NotFound("The user");
        if (!user.TwoFactorEnabled)
            return NotEnabled();
        if (!await users.VerifyTwoFactorTokenAsync(user, ReplayProtectedAuthenticatorTokenProvider.ProviderName, request.Code))
            return InvalidCode();
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodes.Count))!.ToList();
        await AfterChangeAsync(user, me, tokens, emails, "New recovery codes were generated (the old ones no longer work)", cancellationToken);
        return TypedResults.Ok(new RecoveryCodesResponse(codes));
    }

    /// <summary>Step two of a login with 2FA on: trades the ticket from step one and a code for tokens.</summary>
    private static async Task<Results<Ok<AuthTokens>, ValidationProblem, ProblemHttpResult>> LoginWithSecondFactorAsync(
        MfaLoginRequest request, UserManager<User> users, MfaTickets tickets, TokenService tokens, AccountEmails emails,
        AccountRateLimiter limiter, KamaDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        if (OneSecondFactor(request.Code, request.RecoveryCode) is { } invalid)
            return invalid;
        if (await tickets.ReadAsync(request.MfaTicket, users) is not { } ticket || await tickets.IsSpentAsync(db, ticket, cancellationToken))
            return InvalidTicket();
        var user = ticket.User;
        if (await limiter.TryAcquireAsync(RateLimitPolicy.Mfa, user.Id.ToString(), http) is { } limited)
            return limited;
        if (await users.IsLockedOutAsync(user))
            return AuthEndpoints.Locked(user, http);

        if (!await VerifySecondFactorAsync(users, user, request.Code, request.RecoveryCode))
        {
            // Wrong codes count towards the same lockout as wrong passwords.
            await users.AccessFailedAsync(user);
            return await users.IsLockedOutAsync(user) ? AuthEndpoints.Locked(user, http) : InvalidCode();
        }
        // Spent only by a sign-in it completes: a wrong code may be corrected with the same ticket.
        if (!await tickets.SpendAsync(db, ticket, cancellationToken))
            return InvalidTicket();
        await users.ResetAccessFailedCountAsync(user);
        return TypedResults.Ok(await AuthEndpoints.StartSessionAsync(user, tokens, emails, http, cancellationToken));
    }

    private static ProblemHttpResult InvalidTicket() =>
        Problems.Unauthorized("invalid_mfa_ticket", "The sign-in ticket is invalid, expired or already used; sign in again.");

    private static async Task<bool> VerifySecondFactorAsync(UserManager<User> users, User user, string? code, string? recoveryCode) =>
        code is not null
            ? await users.VerifyTwoFactorTokenAsync(user, ReplayProtectedAuthenticatorTokenProvider.ProviderName, code)
            : (await users.RedeemTwoFactorRecoveryCodeAsync(user, recoveryCode!)).Succeeded;

    private static ValidationProblem? OneSecondFactor(string? code, string? recoveryCode) =>
        (code is null) == (recoveryCode is null)
            ? Problems.Validation("code", "Send either a code from the authenticator app or a recovery code.")
            : null;

    private static async Task AfterChangeAsync(User user, CurrentUser me, TokenService tokens, AccountEmails emails, string change,
        CancellationToken cancellationToken)
    {
        await tokens.RevokeAllAsync(user.Id, me.SessionId, "two_factor_changed", cancellationToken);
        await emails.SendTwoFactorChangedAsync(user, change, cancellationToken);
    }

    private static Task<User?> CurrentUserAsync(CurrentUser me, UserManager<User> users) =>
        users.FindByIdAsync(me.Id.ToString());

    private static ProblemHttpResult InvalidCode() =>
        Problems.Of(StatusCodes.Status400BadRequest, "invalid_code", "The code is wrong, expired or already used.");

    private static ProblemHttpResult AlreadyEnabled() =>
        Problems.Conflict("two_factor_already_enabled", "Two-factor authentication is already on.");

    private static ProblemHttpResult NotEnabled() =>
        Problems.Conflict("two_factor_not_enabled", "Two-factor authentication is not on.");
}
