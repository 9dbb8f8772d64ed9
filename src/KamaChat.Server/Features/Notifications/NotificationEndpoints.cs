using System.Security.Cryptography;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Notifications;

/// <param name="DesktopMuted">No pop-up notifications on the user's devices (desktop app, installed web app, browser).</param>
public sealed record NotificationSettingsResponse(string Email, IReadOnlyList<Snowflake> MutedServerIds, bool DesktopMuted);

/// <summary>Fields left out stay as they are.</summary>
public sealed record UpdateNotificationSettingsRequest(string? Email, IReadOnlyList<Snowflake>? MutedServerIds, bool? DesktopMuted);

public sealed record UnsubscribeRequest([property: System.ComponentModel.DataAnnotations.Required, System.ComponentModel.DataAnnotations.StringLength(1024)] string Token);

/// <summary>One-click unsubscribe links: a signed user id that works without signing in.</summary>
public sealed class UnsubscribeTokens(IDataProtectionProvider protection)
{
    private readonly IDataProtector _protector = protection.CreateProtector("KamaChat.Notifications.Unsubscribe.v1");

    public string For(Snowflake userId) => _protector.Protect(userId.ToString());

    public Snowflake? Read(string token)
    {
        try
        {
            return Snowflake.TryParse(_protector.Unprotect(token), out var id) ? id : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}

public static class NotificationEndpoints
{
    public const int MaxMutedServers = 200;

    public static IEndpointRouteBuilder MapNotifications(this IEndpointRouteBuilder app)
    {
        var settings = app.MapGroup("/api/v1/users/@me/notification-settings").WithTags("Notifications").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        settings.MapGet("", GetAsync);
        settings.MapPatch("", UpdateAsync);
        app.MapPost("/api/v1/notifications/unsubscribe", UnsubscribeAsync).WithTags("Notifications").AllowAnonymous();
        return app;
    }

    private static async Task<Ok<NotificationSettingsResponse>> GetAsync(CurrentUser user, KamaDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ReadAsync(db, user.Id, cancellationToken));

    private static async Task<Results<Ok<NotificationSettingsResponse>, ValidationProblem>> UpdateAsync(
        UpdateNotificationSettingsRequest request, CurrentUser user, KamaDbContext db, CancellationToken cancellationToken)
    {
        var email = EmailNotifications.Mentions;
        if (request.Email is not null && !EmailNotificationNames.TryParse(request.Email, out email))
            return Problems.Validation("email", "Use all, mentions or none.");
        var muted = (request.MutedServerIds ?? []).ToHashSet();
        if (muted.Count > MaxMutedServers)
            return Problems.Validation("mutedServerIds", $"At most {MaxMutedServers} servers can be muted.");

        var userId = user.Id;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var row = await SettingsRowAsync(db, userId, cancellationToken);
        if (request.Email is not null)
            row.Email = email;
        if (request.DesktopMuted is { } desktopMuted)
            row.DesktopMuted = desktopMuted;
        if (request.MutedServerIds is not null)
        {
            // Only servers the user is in can be muted; others are ignored rather than disclosed.
            var mine = await db.Members.Where(m => m.UserId == userId && muted.Contains(m.ServerId)).Select(m => m.ServerId).ToListAsync(cancellationToken);
            await db.Set<MutedServer>().Where(m => m.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            db.Set<MutedServer>().AddRange(mine.Select(serverId => new MutedServer { UserId = userId, ServerId = serverId }));
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(await ReadAsync(db, userId, cancellationToken));
    }

    private static async Task<Results<Ok<NotificationSettingsResponse>, ProblemHttpResult>> UnsubscribeAsync(
        UnsubscribeRequest request, UnsubscribeTokens tokens, KamaDbContext db, CancellationToken cancellationToken)
    {
        if (tokens.Read(request.Token) is not { } userId || !await db.Users.AnyAsync(u => u.Id == userId && u.Email != null, cancellationToken))
            return Problems.Of(StatusCodes.Status400BadRequest, "invalid_token", "This unsubscribe link is not valid.");
        var row = await SettingsRowAsync(db, userId, cancellationToken);
        row.Email = EmailNotifications.None;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(await ReadAsync(db, userId, cancellationToken));
    }

    /// <summary>The user's row, created with the defaults when missing (tracked, for the caller to change and save).</summary>
    internal static async Task<NotificationSettings> SettingsRowAsync(KamaDbContext db, Snowflake userId, CancellationToken cancellationToken)
    {
        var row = await db.Set<NotificationSettings>().SingleOrDefaultAsync(s => s.UserId == userId, cancellationToken);
        if (row is null)
        {
            row = new NotificationSettings
            {
                UserId = userId,
                // Nothing from before the user chose anything is mailed later as "new".
                LastNotifiedMessageId = default,
            };
            db.Add(row);
        }
        return row;
    }

    private static async Task<NotificationSettingsResponse> ReadAsync(KamaDbContext db, Snowflake userId, CancellationToken cancellationToken)
    {
        var row = await db.Set<NotificationSettings>().AsNoTracking().Where(s => s.UserId == userId)
            .Select(s => new { s.Email, s.DesktopMuted }).SingleOrDefaultAsync(cancellationToken);
        var muted = await db.Set<MutedServer>().Where(m => m.UserId == userId).OrderBy(m => m.ServerId).Select(m => m.ServerId).ToListAsync(cancellationToken);
        return new NotificationSettingsResponse(EmailNotificationNames.Of(row?.Email ?? EmailNotifications.Mentions), muted, row?.DesktopMuted ?? false);
    }
}
