using KamaChat.Server.Data;
using KamaChat.Server.Features.Users;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Email;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Account;

/// <summary>Renders the account emails with their links into the web client and puts them on the job queue.</summary>
public sealed class AccountEmails(
    EmailOutbox outbox,
    UserManager<User> users,
    KamaDbContext db,
    IOptions<ServerOptions> server,
    TimeProvider time,
    ILogger<AccountEmails> logger)
{
    /// <summary>At sign-up: the account exists either way, and a lost verification mail can be resent.</summary>
    public Task TrySendVerificationAsync(User user, CancellationToken cancellationToken) =>
        BestEffortAsync(() => SendVerificationAsync(user, cancellationToken), "verification", user);

    public async Task SendVerificationAsync(User user, CancellationToken cancellationToken)
    {
        var token = await users.GenerateEmailConfirmationTokenAsync(user);
        var link = Link("verify-email", ("userId", user.Id.ToString()), ("token", token));
        await outbox.EnqueueAsync(user.Email!, EmailTemplates.VerifyEmail(user.UserName!, link), cancellationToken);
    }

    public async Task SendEmailChangeConfirmationAsync(User user, string newEmail, CancellationToken cancellationToken)
    {
        var token = await users.GenerateChangeEmailTokenAsync(user, newEmail);
        var link = Link("confirm-email-change",
            ("userId", user.Id.ToString()), ("newEmail", newEmail), ("token", token));
        await outbox.EnqueueAsync(newEmail, EmailTemplates.ConfirmEmailChange(user.UserName!, newEmail, link), cancellationToken);
    }

    public async Task SendPasswordResetAsync(User user, CancellationToken cancellationToken)
    {
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var link = Link("reset-password", ("userId", user.Id.ToString()), ("token", token));
        await outbox.EnqueueAsync(user.Email!, EmailTemplates.ResetPassword(user.UserName!, link), cancellationToken);
    }

    /// <summary>After the change is saved: a notice that cannot be queued must not undo or fail it.</summary>
    public Task SendTwoFactorChangedAsync(User user, string change, CancellationToken cancellationToken) =>
        BestEffortAsync(() => outbox.EnqueueAsync(user.Email!, EmailTemplates.TwoFactorChanged(user.UserName!, change, time.GetUtcNow()),
            cancellationToken), "two-factor notice", user);

    /// <summary>Alerts the user to a sign-in from a device and address none of their earlier sessions came from.</summary>
    public async Task AlertIfUnfamiliarSignInAsync(User user, Snowflake sessionId, string? userAgent, string? ipAddress, CancellationToken cancellationToken)
    {
        var familiar = await db.Sessions.AnyAsync(
            s => s.UserId == user.Id && s.Id != sessionId && s.UserAgent == userAgent && s.IpAddress == ipAddress, cancellationToken);
        if (!familiar)
            await BestEffortAsync(() => outbox.EnqueueAsync(user.Email!,
                EmailTemplates.NewSignIn(user.UserName!, time.GetUtcNow(), UserAgentSummary.Describe(userAgent), ipAddress), cancellationToken),
                "sign-in alert", user);
    }

    private async Task BestEffortAsync(Func<Task> send, string what, User user)
    {
        try
        {
            await send();
        }
        catch (Infrastructure.Jobs.JobQueueUnavailableException e)
        {
            logger.LogWarning(e, "Could not queue the {What} email for user {UserId}", what, user.Id);
        }
    }

    /// <summary>A web-client route under PUBLIC_URL with its query escaped (Identity tokens contain '+', '/' and '=').</summary>
    private Uri Link(string route, params (string Name, string Value)[] query) =>
        new(server.Value.PublicUrl, route + "?" + string.Join('&', query.Select(q => $"{q.Name}={Uri.EscapeDataString(q.Value)}")));
}
