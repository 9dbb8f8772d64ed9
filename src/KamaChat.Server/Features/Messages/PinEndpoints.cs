using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Audit;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.Messages;

/// <summary>Pinned messages of a channel (at most <see cref="MaxPinsPerChannel"/>).</summary>
public static class PinEndpoints
{
    public const int MaxPinsPerChannel = 50;

    internal static RouteGroupBuilder MapPins(this RouteGroupBuilder channel)
    {
        var pins = channel.MapGroup("/pins").WithTags("Pins");
        pins.MapGet("", ListAsync).RequireChannelPermission(Perms.ReadMessageHistory, ChannelScope.MessageChannel);
        // PIN_MESSAGES or MANAGE_MESSAGES (either will do), checked by the handlers once the message is found.
        pins.MapPut("/{messageId:snowflake}", PinAsync).RequireChannelPermission(Perms.ReadMessageHistory, ChannelScope.MessageChannel);
        pins.MapDelete("/{messageId:snowflake}", UnpinAsync).RequireChannelPermission(Perms.ReadMessageHistory, ChannelScope.MessageChannel);
        return channel;
    }

    /// <summary>Pinned messages, most recently pinned first.</summary>
    private static async Task<Ok<List<MessageResponse>>> ListAsync(ChannelAccess access, CurrentUser user, KamaDbContext db, AttachmentLinks links, CancellationToken cancellationToken)
    {
        var pinned = await db.Messages.AsNoTracking()
            .Where(m => m.ChannelId == access.ChannelId && m.PinnedAt != null)
            .Select(m => new { m.Id, m.PinnedAt })
            .ToListAsync(cancellationToken);
        var ids = pinned.OrderByDescending(m => m.PinnedAt).ThenByDescending(m => m.Id).Select(m => m.Id).ToList();
        return TypedResults.Ok(await MessageQueries.LoadAsync(db, links, ids, user.Id, cancellationToken));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> PinAsync(
        ChannelAccess access, Snowflake messageId, KamaDbContext db, EventLog events, AuditLog audit, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var id = access.ChannelId;
        var (pinnedAt, problem) = await FindAsync(db, access, messageId, cancellationToken);
        if (problem is not null)
            return problem;
        if (pinnedAt is not null)
            return TypedResults.NoContent();

        var now = time.GetUtcNow();
        await using var change = await events.BeginAsync(cancellationToken);
        // Appending first takes the channel's stream lock: two pins at once cannot both squeeze under the limit.
        await change.AppendAsync(new MessagePinned(id, messageId, now), cancellationToken);
        if (await db.Messages.CountAsync(m => m.ChannelId == id && m.PinnedAt != null, cancellationToken) >= MaxPinsPerChannel)
            return Problems.Of(StatusCodes.Status400BadRequest, "too_many_pins", $"A channel can have at most {MaxPinsPerChannel} pinned messages.");
        if (await db.Messages.Where(m => m.Id == messageId && m.PinnedAt == null).ExecuteUpdateAsync(s => s.SetProperty(m => m.PinnedAt, now), cancellationToken) == 0)
            return TypedResults.NoContent(); // Pinned meanwhile, or deleted: nothing to announce.
        RecordInServer(audit, access, AuditActions.MessagePin, messageId);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> UnpinAsync(
        ChannelAccess access, Snowflake messageId, KamaDbContext db, EventLog events, AuditLog audit, CancellationToken cancellationToken)
    {
        var id = access.ChannelId;
        var (pinnedAt, problem) = await FindAsync(db, access, messageId, cancellationToken);
        if (problem is not null)
            return problem;
        if (pinnedAt is null)
            return TypedResults.NoContent();

        await using var change = await events.BeginAsync(cancellationToken);
        if (await db.Messages.Where(m => m.Id == messageId && m.PinnedAt != null).ExecuteUpdateAsync(s => s.SetProperty(m => m.PinnedAt, (DateTimeOffset?)null), cancellationToken) == 0)
            return TypedResults.NoContent();
        await change.AppendAsync(new MessageUnpinned(id, messageId), cancellationToken);
        RecordInServer(audit, access, AuditActions.MessageUnpin, messageId);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The message in the channel, and PIN_MESSAGES or MANAGE_MESSAGES: its current pin time, or the problem.</summary>
    private static async Task<(DateTimeOffset? PinnedAt, ProblemHttpResult? Problem)> FindAsync(
        KamaDbContext db, ChannelAccess access, Snowflake messageId, CancellationToken cancellationToken)
    {
        var message = await db.Messages.AsNoTracking().Where(m => m.Id == messageId && m.ChannelId == access.ChannelId)
            .Select(m => new { m.PinnedAt }).SingleOrDefaultAsync(cancellationToken);
        if (message is null)
            return (null, MessagingProblems.MessageNotFound());
        if (!access.Has(Perms.PinMessages) && !access.Has(Perms.ManageMessages))
            return (null, access.Refusal(Perms.PinMessages, Perms.ManageMessages));
        return (message.PinnedAt, null);
    }

    /// <summary>Pins in a server's channels are audited; a DM's or group DM's have no server and no audit log.</summary>
    internal static void RecordInServer(AuditLog audit, ChannelAccess access, string action, Snowflake messageId)
    {
        if (access.Channel.ServerId is { } serverId)
            audit.Record(serverId, action, messageId, [AuditLog.Change("channelId", null, access.ChannelId)]);
    }
}
