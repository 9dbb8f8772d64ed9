using KamaChat.Server.Data;
using KamaChat.Server.Features.Account;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Audit;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.LinkPreviews;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
using KamaChat.Server.Infrastructure.Jobs;
using KamaChat.Server.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.Messages;

/// <summary>Channel messages: send, read history, edit, delete. Works the same in server channels, DMs and group DMs.</summary>
public static class MessageEndpoints
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 100;

    /// <summary>Maps messages, reactions and pins under /api/v1/channels/{id}.</summary>
    public static IEndpointRouteBuilder MapMessages(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/channels/{id:snowflake}").WithTags("Messages").RequireAuthorization();
        group.MapPost("/messages", SendMessage.HandleAsync).RequireAuthorization(VerifiedEmailPolicy.Name)
            .RequireAccountRateLimit(RateLimitPolicy.MessageSend)
            .RequireChannelPermission(Perms.SendMessages, ChannelScope.MessageChannel);
        group.MapGet("/messages", ListAsync).RequireChannelPermission(Perms.ReadMessageHistory, ChannelScope.MessageChannel);
        group.MapGet("/messages/{messageId:snowflake}", GetAsync).RequireChannelPermission(Perms.ReadMessageHistory, ChannelScope.MessageChannel);
        // Editing is the author's alone and deleting the author's or a moderator's: the handlers decide on the message.
        group.MapPatch("/messages/{messageId:snowflake}", EditAsync).RequireChannelPermission().ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapDelete("/messages/{messageId:snowflake}", DeleteAsync).RequireChannelPermission().ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapReactions();
        group.MapPins();
        group.MapLinkPreviews();
        return app;
    }

    /// <summary>
    /// A page of history, always newest first. No cursor: the newest messages. <c>before</c>: the newest messages older
    /// than it. <c>after</c>: the oldest messages newer than it. <c>around</c>: the message itself and up to half the page
    /// newer, the rest older.
    /// </summary>
    private static async Task<Results<MessagePage, ValidationProblem>> ListAsync(
        ChannelAccess access, [FromQuery] Snowflake? before, [FromQuery] Snowflake? after, [FromQuery] Snowflake? around, [FromQuery] int? limit,
        CurrentUser user, KamaDbContext db, AttachmentLinks links, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxPageSize)
            return Problems.Validation("limit", $"limit must be between 1 and {MaxPageSize}.");
        if ((before is null ? 0 : 1) + (after is null ? 0 : 1) + (around is null ? 0 : 1) > 1)
            return Problems.Validation("before", "Use only one of before, after and around.");

        var size = limit ?? DefaultPageSize;
        var inChannel = db.Messages.Where(m => m.ChannelId == access.ChannelId);
        List<MessageResponse> page;
        if (after is { } a)
        {
            page = await MessageQueries.LoadAfterAsync(db, links, access.ChannelId, a, size, user.Id, cancellationToken);
        }
        else if (around is { } center)
        {
            var newer = await inChannel.Where(m => m.Id >= center).OrderBy(m => m.Id).Take((size + 1) / 2).Select(m => m.Id).ToListAsync(cancellationToken);
            var older = await inChannel.Where(m => m.Id < center).OrderByDescending(m => m.Id).Take(size - newer.Count).Select(m => m.Id).ToListAsync(cancellationToken);
            page = await MessageQueries.LoadAsync(db, links, [.. newer, .. older], user.Id, cancellationToken);
        }
        else
        {
            page = await MessageQueries.LoadNewestAsync(db, links, access.ChannelId, before, size, user.Id, cancellationToken);
        }
        // Newest first, whichever way the page was read.
        page.Sort((x, y) => y.Id.CompareTo(x.Id));
        return new MessagePage(page);
    }

    private static async Task<Results<Ok<MessageResponse>, ProblemHttpResult>> GetAsync(
        ChannelAccess access, Snowflake messageId, CurrentUser user, KamaDbContext db, AttachmentLinks links, CancellationToken cancellationToken)
    {
        if (!await db.Messages.AnyAsync(m => m.Id == messageId && m.ChannelId == access.ChannelId, cancellationToken))
            return MessagingProblems.MessageNotFound();
        return TypedResults.Ok((await MessageQueries.LoadOneAsync(db, links, messageId, user.Id, cancellationToken))!);
    }

    private static async Task<Results<Ok<MessageResponse>, ProblemHttpResult>> EditAsync(
        ChannelAccess access, Snowflake messageId, EditMessageRequest request, CurrentUser user, KamaDbContext db, EventLog events,
        TimeProvider time, AttachmentLinks links, IJobQueue jobs, IOptions<LinkPreviewOptions> previewOptions, ILogger<Message> logger,
        CancellationToken cancellationToken)
    {
        var id = access.ChannelId;
        var message = await db.Messages.Include(m => m.Mentions).SingleOrDefaultAsync(m => m.Id == messageId && m.ChannelId == id, cancellationToken);
        if (message is null)
            return MessagingProblems.MessageNotFound();
        if (message.AuthorId != user.Id)
            return Problems.Forbidden("not_author", "Only the author can edit a message.");
        if (message.Kind != MessageKind.Default)
            return Problems.Forbidden("system_message", "A line the server wrote about a change cannot be edited.");

        message.Content = request.Content.Trim();
        message.EditedAt = time.GetUtcNow();
        // A link taken out takes its preview with it at once; the job previews the links added.
        var embedsBefore = message.Embeds;
        message.Embeds = MessageEmbeds.KeepOnly(message.Embeds, LinkUrls.Extract(message.Content));
        var (mentions, mentionsEveryone) = await MentionParser.ResolveAsync(db, access, message.AuthorId, message.Content, cancellationToken);
        message.MentionsEveryone = mentionsEveryone;
        // Same (type, target) pairs are kept rather than deleted and re-inserted under the same key.
        message.Mentions.RemoveAll(old => !mentions.Any(m => m.TargetType == old.TargetType && m.TargetId == old.TargetId));
        message.Mentions.AddRange(mentions.Where(m => !message.Mentions.Any(old => old.TargetType == m.TargetType && old.TargetId == m.TargetId)));

        await using var change = await events.BeginAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        if (message.Embeds != embedsBefore)
            await MessageEmbeds.SyncImagesAsync(db, messageId, message.Embeds, cancellationToken);
        var updated = (await MessageQueries.LoadOneAsync(db, links, messageId, user.Id, cancellationToken))!;
        await change.AppendAsync(new MessageUpdated(id, updated), cancellationToken);
        await change.CommitAsync(cancellationToken);
        if (!message.EmbedsSuppressed)
            await LinkPreviewJob.EnqueueAsync(jobs, previewOptions.Value, logger, messageId, message.Content, cancellationToken);
        return TypedResults.Ok(updated);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        ChannelAccess access, Snowflake messageId, CurrentUser user, KamaDbContext db, EventLog events, StoredFileCleanup files, AuditLog audit,
        CancellationToken cancellationToken)
    {
        var id = access.ChannelId;
        var authorId = await db.Messages.Where(m => m.Id == messageId && m.ChannelId == id).Select(m => (Snowflake?)m.AuthorId).SingleOrDefaultAsync(cancellationToken);
        if (authorId is null)
            return MessagingProblems.MessageNotFound();
        if (authorId != user.Id && !access.Has(Perms.ManageMessages))
            return access.Refusal(Perms.ManageMessages);

        await using var change = await events.BeginAsync(cancellationToken);
        // A message's attachments never change once sent, so the ids read here are all its files.
        var attachmentIds = await db.Attachments.Where(a => a.MessageId == messageId).Select(a => a.Id).ToArrayAsync(cancellationToken);
        // Mentions, reactions and attachment rows go with it (cascades).
        if (await db.Messages.Where(m => m.Id == messageId).ExecuteDeleteAsync(cancellationToken) == 0)
            return MessagingProblems.MessageNotFound();
        var previous = await db.Messages.Where(m => m.ChannelId == id).MaxAsync(m => (Snowflake?)m.Id, cancellationToken);
        await db.Channels.Where(c => c.Id == id && c.LastMessageId == messageId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastMessageId, previous), cancellationToken);
        await change.AppendAsync(new MessageDeleted(id, messageId), cancellationToken);
        // A moderator deleting someone else's message is audited (with its author as target, as Discord); one's own is not.
        if (authorId != user.Id && access.Channel.ServerId is { } serverId)
            audit.Record(serverId, AuditActions.MessageDelete, authorId,
                [AuditLog.Change("channelId", null, id), AuditLog.Change("messageId", messageId, null)]);
        await change.CommitAsync(cancellationToken);
        await files.AttachmentsAsync(attachmentIds);
        return TypedResults.NoContent();
    }
}
