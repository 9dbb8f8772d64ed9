using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Events;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Messages;

/// <summary>
/// The attachments table as the processing job sees it, plus MessageUpdated to the channel when an attachment of a
/// sent message finishes (ready, failed or blocked), in the same transaction as the change: clients swap the
/// placeholder for the thumbnail live, and a client that reconnects gets the update from the event log.
/// </summary>
public sealed class AttachmentAnnouncements(AttachmentProcessingStore inner, KamaDbContext db, EventLog events, AttachmentLinks links)
    : IAttachmentProcessingStore
{
    public Task<AttachmentToProcess?> FindAsync(Snowflake attachmentId, CancellationToken cancellationToken) => inner.FindAsync(attachmentId, cancellationToken);

    public Task MarkProcessingAsync(Snowflake attachmentId, CancellationToken cancellationToken) => inner.MarkProcessingAsync(attachmentId, cancellationToken);

    public Task ReportProgressAsync(Snowflake attachmentId, int percent, CancellationToken cancellationToken) =>
        inner.ReportProgressAsync(attachmentId, percent, cancellationToken);

    public async Task<bool> CompleteAsync(Snowflake attachmentId, AttachmentProcessingResult result, CancellationToken cancellationToken)
    {
        await using var change = await events.BeginAsync(cancellationToken);
        if (!await inner.CompleteAsync(attachmentId, result, cancellationToken))
            return false;
        var message = await db.Attachments.AsNoTracking().Where(a => a.Id == attachmentId && a.MessageId != null)
            .Select(a => new { MessageId = a.MessageId!.Value, a.ChannelId }).SingleOrDefaultAsync(cancellationToken);
        // Reactions' "me" is per viewer; an event for everyone says false, as for an edit seen by others.
        if (message is not null && await MessageQueries.LoadOneAsync(db, links, message.MessageId, default, cancellationToken) is { } updated)
            await change.AppendAsync(new MessageUpdated(message.ChannelId, updated), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return true;
    }
}
