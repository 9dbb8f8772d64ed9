using KamaChat.Server.Data;
using KamaChat.Server.Features.Events;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Messages;

/// <summary>What a purge removed: how many messages, and the attachments whose files the caller deletes once it commits.</summary>
public sealed record PurgedMessages(int Count, Snowflake[] AttachmentIds);

/// <summary>Removes what one user wrote in a server's channels since a time (a ban's "delete their messages"), inside the caller's change.</summary>
public static class MessagePurge
{
    public static async Task<PurgedMessages> ByAuthorAsync(
        KamaDbContext db, EventTransaction change, Snowflake serverId, Snowflake authorId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var floor = SnowflakeGenerator.MinimumIdAt(since);
        var doomed = await db.Messages
            .Where(m => m.AuthorId == authorId && m.Id >= floor && db.Channels.Any(c => c.Id == m.ChannelId && c.ServerId == serverId))
            .Select(m => new { m.Id, m.ChannelId })
            .ToListAsync(cancellationToken);
        if (doomed.Count == 0)
            return new PurgedMessages(0, []);

        var ids = doomed.Select(m => m.Id).ToList();
        var messageIds = ids.Select(id => (Snowflake?)id).ToList();
        var attachmentIds = await db.Attachments.Where(a => messageIds.Contains(a.MessageId)).Select(a => a.Id).ToArrayAsync(cancellationToken);
        // Mentions, reactions and attachment rows go with them (cascades), as when one message is deleted.
        await db.Messages.Where(m => ids.Contains(m.Id)).ExecuteDeleteAsync(cancellationToken);
        foreach (var channel in doomed.GroupBy(m => m.ChannelId))
        {
            var channelId = channel.Key;
            var last = await db.Messages.Where(m => m.ChannelId == channelId).MaxAsync(m => (Snowflake?)m.Id, cancellationToken);
            await db.Channels.Where(c => c.Id == channelId).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastMessageId, last), cancellationToken);
            // Oldest first, so a client replaying the stream removes them in the order they were written.
            foreach (var message in channel.OrderBy(m => m.Id))
                await change.AppendAsync(new MessageDeleted(channelId, message.Id), cancellationToken);
        }
        return new PurgedMessages(doomed.Count, attachmentIds);
    }
}
