using KamaChat.Server.Data;
using KamaChat.Server.Features.Events;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Messages;

/// <summary>Removes what one user wrote in a server's channels since a time (a ban's "delete their messages"), inside the caller's change.</summary>
public static class MessagePurge
{
    /// <returns>How many messages went.</returns>
    public static async Task<int> ByAuthorAsync(
        KamaDbContext db, EventTransaction change, Snowflake serverId, Snowflake authorId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var floor = SnowflakeGenerator.MinimumIdAt(since);
        var doomed = await db.Messages
            .Where(m => m.AuthorId == authorId && m.Id >= floor && db.Channels.Any(c => c.Id == m.ChannelId && c.ServerId == serverId))
            .Select(m => new { m.Id, m.ChannelId })
            .ToListAsync(cancellationToken);
        if (doomed.Count == 0)
            return 0;

        var ids = doomed.Select(m => m.Id).ToList();
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
        return doomed.Count;
    }
}
