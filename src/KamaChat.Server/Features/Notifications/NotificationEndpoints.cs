using System.Security.Cryptography;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Notifications;

/// <param name="MutedServerIds">Servers whose messages are never emailed.</param>
/// <param name="DesktopMuted">No pop-up notifications on the user's devices (desktop app, installed web app, browser).</param>
/// <param name="Servers">Per-server pop-up rules (level, mute); servers without one follow the defaults.</param>
/// <param name="Channels">Per-channel rules (DMs included), overriding their server's.</param>
public sealed record NotificationSettingsResponse(
    string Email,
    IReadOnlyList<Snowflake> MutedServerIds,
    bool DesktopMuted,
    IReadOnlyList<NotificationRuleResponse> Servers,
    IReadOnlyList<NotificationRuleResponse> Channels);

/// <param name="Id">The server or channel.</param>
/// <param name="Level">all, mentions or nothing; null inherits (a channel its server's, a server the default "mentions").</param>
/// <param name="Muted">Muted now; a mute that has run out is reported as not muted.</param>
/// <param name="MutedUntil">When the mute ends by itself; null while muted means until turned back on.</param>
public sealed record NotificationRuleResponse(Snowflake Id, string? Level, bool Muted, DateTimeOffset? MutedUntil);

/// <param name="Level">all, mentions or nothing; null to inherit.</param>
/// <param name="Muted">Mute the server or channel.</param>
/// <param name="MuteMinutes">How long the mute lasts (the app offers 15, 60, 480 and 1440); null: until turned back on.</param>
public sealed record UpdateNotificationRuleRequest(string? Level, bool Muted, [property: System.ComponentModel.DataAnnotations.Range(1, NotificationEndpoints.MaxMuteMinutes)] int? MuteMinutes);

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

    /// <summary>A year: longer mutes are "until I turn it back on".</summary>
    public const int MaxMuteMinutes = 525_600;

    public static IEndpointRouteBuilder MapNotifications(this IEndpointRouteBuilder app)
    {
        var settings = app.MapGroup("/api/v1/users/@me/notification-settings").WithTags("Notifications").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        settings.MapGet("", GetAsync);
        settings.MapPatch("", UpdateAsync);
        settings.MapPut("/servers/{serverId}", UpdateServerRuleAsync).ProducesProblem(StatusCodes.Status404NotFound);
        settings.MapPut("/channels/{channelId}", UpdateChannelRuleAsync).ProducesProblem(StatusCodes.Status404NotFound);
        app.MapPost("/api/v1/notifications/unsubscribe", UnsubscribeAsync).WithTags("Notifications").AllowAnonymous();
        return app;
    }

    private static async Task<Ok<NotificationSettingsResponse>> GetAsync(CurrentUser user, KamaDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ReadAsync(db, user.Id, time.GetUtcNow(), cancellationToken));

    private static async Task<Results<Ok<NotificationSettingsResponse>, ValidationProblem>> UpdateAsync(
        UpdateNotificationSettingsRequest request, CurrentUser user, KamaDbContext db, EventLog events, TimeProvider time, CancellationToken cancellationToken)
    {
        var email = EmailNotifications.Mentions;
        if (request.Email is not null && !EmailNotificationNames.TryParse(request.Email, out email))
            return Problems.Validation("email", "Use all, mentions or none.");
        var muted = (request.MutedServerIds ?? []).ToHashSet();
        if (muted.Count > MaxMutedServers)
            return Problems.Validation("mutedServerIds", $"At most {MaxMutedServers} servers can be muted.");

        var userId = user.Id;
        await using var change = await events.BeginAsync(cancellationToken);
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
        return TypedResults.Ok(await SaveAndAnnounceAsync(db, change, userId, time, cancellationToken));
    }

    private static async Task<Results<Ok<NotificationSettingsResponse>, ValidationProblem, ProblemHttpResult>> UpdateServerRuleAsync(
        Snowflake serverId, UpdateNotificationRuleRequest request, CurrentUser user, KamaDbContext db, EventLog events, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!await db.Members.AnyAsync(m => m.UserId == user.Id && m.ServerId == serverId, cancellationToken))
            return Problems.NotFound("The server");
        return await UpdateRuleAsync(request, db, events, time, user.Id,
            () => db.Set<ServerNotificationRule>().SingleOrDefaultAsync(r => r.UserId == user.Id && r.ServerId == serverId, cancellationToken),
            () => new ServerNotificationRule { UserId = user.Id, ServerId = serverId }, cancellationToken);
    }

    private static async Task<Results<Ok<NotificationSettingsResponse>, ValidationProblem, ProblemHttpResult>> UpdateChannelRuleAsync(
        Snowflake channelId, UpdateNotificationRuleRequest request, CurrentUser user, KamaDbContext db, PermissionService permissions, EventLog events,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (await permissions.ForChannelAsync(user.Id, channelId, cancellationToken) is null)
            return Problems.NotFound("The channel");
        return await UpdateRuleAsync(request, db, events, time, user.Id,
            () => db.Set<ChannelNotificationRule>().SingleOrDefaultAsync(r => r.UserId == user.Id && r.ChannelId == channelId, cancellationToken),
            () => new ChannelNotificationRule { UserId = user.Id, ChannelId = channelId }, cancellationToken);
    }

    /// <summary>Replaces one rule (a rule back at the defaults is deleted) and tells the user's other devices.</summary>
    private static async Task<Results<Ok<NotificationSettingsResponse>, ValidationProblem, ProblemHttpResult>> UpdateRuleAsync<TRule>(
        UpdateNotificationRuleRequest request, KamaDbContext db, EventLog events, TimeProvider time, Snowflake userId,
        Func<Task<TRule?>> find, Func<TRule> create, CancellationToken cancellationToken)
        where TRule : NotificationRule
    {
        NotificationLevel? level = null;
        if (request.Level is not null)
        {
            if (!NotificationLevelNames.TryParse(request.Level, out var parsed))
                return Problems.Validation("level", "Use all, mentions, nothing, or null to inherit.");
            level = parsed;
        }
        await using var change = await events.BeginAsync(cancellationToken);
        var rule = await find();
        if (level is null && !request.Muted)
        {
            if (rule is not null)
                db.Remove(rule);
        }
        else
        {
            if (rule is null)
                db.Add(rule = create());
            rule.Level = level;
            rule.Muted = request.Muted;
            rule.MutedUntil = request.Muted && request.MuteMinutes is { } minutes ? time.GetUtcNow().AddMinutes(minutes) : null;
        }
        return TypedResults.Ok(await SaveAndAnnounceAsync(db, change, userId, time, cancellationToken));
    }

    private static async Task<NotificationSettingsResponse> SaveAndAnnounceAsync(
        KamaDbContext db, EventTransaction change, Snowflake userId, TimeProvider time, CancellationToken cancellationToken)
    {
        await db.SaveChangesAsync(cancellationToken);
        var settings = await ReadAsync(db, userId, time.GetUtcNow(), cancellationToken);
        await change.AppendAsync(new NotificationSettingsUpdated(userId, settings), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return settings;
    }

    private static async Task<Results<Ok<NotificationSettingsResponse>, ProblemHttpResult>> UnsubscribeAsync(
        UnsubscribeRequest request, UnsubscribeTokens tokens, KamaDbContext db, EventLog events, TimeProvider time, CancellationToken cancellationToken)
    {
        if (tokens.Read(request.Token) is not { } userId || !await db.Users.AnyAsync(u => u.Id == userId && u.Email != null, cancellationToken))
            return Problems.Of(StatusCodes.Status400BadRequest, "invalid_token", "This unsubscribe link is not valid.");
        await using var change = await events.BeginAsync(cancellationToken);
        var row = await SettingsRowAsync(db, userId, cancellationToken);
        row.Email = EmailNotifications.None;
        return TypedResults.Ok(await SaveAndAnnounceAsync(db, change, userId, time, cancellationToken));
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

    internal static async Task<NotificationSettingsResponse> ReadAsync(KamaDbContext db, Snowflake userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var row = await db.Set<NotificationSettings>().AsNoTracking().Where(s => s.UserId == userId)
            .Select(s => new { s.Email, s.DesktopMuted }).SingleOrDefaultAsync(cancellationToken);
        var muted = await db.Set<MutedServer>().Where(m => m.UserId == userId).OrderBy(m => m.ServerId).Select(m => m.ServerId).ToListAsync(cancellationToken);
        var servers = await db.Set<ServerNotificationRule>().AsNoTracking().Where(r => r.UserId == userId).OrderBy(r => r.ServerId).ToListAsync(cancellationToken);
        var channels = await db.Set<ChannelNotificationRule>().AsNoTracking().Where(r => r.UserId == userId).OrderBy(r => r.ChannelId).ToListAsync(cancellationToken);
        return new NotificationSettingsResponse(EmailNotificationNames.Of(row?.Email ?? EmailNotifications.Mentions), muted, row?.DesktopMuted ?? false,
            servers.Select(r => Describe(r.ServerId, r, now)).ToList(), channels.Select(r => Describe(r.ChannelId, r, now)).ToList());
    }

    private static NotificationRuleResponse Describe(Snowflake id, NotificationRule rule, DateTimeOffset now)
    {
        var muted = rule.IsMutedAt(now);
        return new NotificationRuleResponse(id, rule.Level is { } level ? NotificationLevelNames.Of(level) : null, muted, muted ? rule.MutedUntil : null);
    }
}

/// <summary>The user changed their notification settings on one device: the others apply them at once.</summary>
public sealed record NotificationSettingsUpdated(Snowflake UserId, NotificationSettingsResponse Data) : IUserEvent<NotificationSettingsResponse>
{
    public static string Type => "NotificationSettingsUpdated";
}
