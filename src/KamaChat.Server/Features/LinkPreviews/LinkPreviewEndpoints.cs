using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Permissions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.LinkPreviews;

/// <summary>Removing a message's link previews ("Remove embeds" on Discord).</summary>
public static class LinkPreviewEndpoints
{
    /// <summary>Maps DELETE …/messages/{messageId}/embeds in the messages group.</summary>
    public static RouteGroupBuilder MapLinkPreviews(this RouteGroupBuilder group)
    {
        // The author's or a moderator's: the handler decides on the message.
        group.MapDelete("/messages/{messageId:snowflake}/embeds", RemoveAsync).RequireChannelPermission().ProducesProblem(StatusCodes.Status403Forbidden);
        return group;
    }

    /// <summary>
    /// Removes the message's previews for good: none are made again, also when it is edited. The author or a holder
    /// of MANAGE_MESSAGES may. Removing them twice is no change (no second event).
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        ChannelAccess access, Snowflake messageId, CurrentUser user, KamaDbContext db, EventLog events, AttachmentLinks links, CancellationToken cancellationToken)
    {
        var id = access.ChannelId;
        var message = await db.Messages.AsNoTracking().Where(m => m.Id == messageId && m.ChannelId == id)
            .Select(m => new { m.AuthorId, m.EmbedsSuppressed }).SingleOrDefaultAsync(cancellationToken);
        if (message is null)
            return MessagingProblems.MessageNotFound();
        if (message.AuthorId != user.Id && !access.Has(Perms.ManageMessages))
            return PermissionProblems.MissingPermission(Perms.ManageMessages);
        if (message.EmbedsSuppressed)
            return TypedResults.NoContent();

        await using var change = await events.BeginAsync(cancellationToken);
        if (await db.Messages.Where(m => m.Id == messageId && !m.EmbedsSuppressed)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.EmbedsSuppressed, true).SetProperty(m => m.Embeds, (string?)null), cancellationToken) == 0)
            return TypedResults.NoContent();
        await MessageEmbeds.SyncImagesAsync(db, messageId, null, cancellationToken);
        // Reactions' "me" is per viewer; an event for everyone says false, as for an edit seen by others.
        var updated = (await MessageQueries.LoadOneAsync(db, links, messageId, default, cancellationToken))!;
        await change.AppendAsync(new MessageUpdated(id, updated), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
