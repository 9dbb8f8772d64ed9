using KamaChat.Server.Data;
using KamaChat.Server.Features.Events;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Messages;

/// <summary>
/// Lines the server writes into a conversation about a change (someone added, removed, a rename): real messages, so they
/// take the channel's next id and sequence like any other, appear in history and on the gateway, and move the DM list.
/// </summary>
public static class SystemMessages
{
    /// <summary>Writes the line inside <paramref name="change"/>, the change's own transaction: the line and the change commit together or not at all.</summary>
    public static async Task PostAsync(
        KamaDbContext db, EventTransaction change, Snowflake channelId, Snowflake actorId, MessageKind kind, Snowflake? targetUserId, string content,
        CancellationToken cancellationToken)
    {
        // Locks the channel row as a send does, so the line's id follows every message committed before it.
        if (await SendMessage.LockChannelAsync(db, channelId, cancellationToken) is not { } locked)
            return;
        var author = await SummaryAsync(db, actorId, cancellationToken);
        var target = targetUserId is { } targetId ? await SummaryAsync(db, targetId, cancellationToken) : null;
        var message = new Message { ChannelId = channelId, AuthorId = actorId, Content = content, Kind = kind, TargetUserId = targetUserId };
        await change.AppendCreatingAsync(new EventStream(EventScope.Channel, channelId), idFloor: locked.LastMessageId ?? default, (sequence, messageId) =>
        {
            (message.Id, message.Sequence, message.CreatedAt) = (messageId, sequence, messageId.Timestamp);
            return new MessageCreated(channelId, new MessageResponse(
                message.Id, channelId, author, content, null, null, [], [], false, message.CreatedAt, null, false, [], [], [], false, sequence,
                MessageKinds.Name(kind), target));
        }, cancellationToken);
        db.Messages.Add(message);
        await db.SaveChangesAsync(cancellationToken);
        await db.Channels.Where(c => c.Id == channelId).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastMessageId, message.Id), cancellationToken);
    }

    /// <summary>
    /// Takes the channel row's lock first, as a send does, before the change appends its events: every writer to a
    /// channel then locks in the same order (row, then event stream), so two of them never wait on each other. False when the channel is gone.
    /// </summary>
    public static async Task<bool> LockChannelAsync(KamaDbContext db, Snowflake channelId, CancellationToken cancellationToken) =>
        await SendMessage.LockChannelAsync(db, channelId, cancellationToken) is not null;

    private static Task<UserSummary> SummaryAsync(KamaDbContext db, Snowflake userId, CancellationToken cancellationToken) =>
        db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => UserSummary.Of(u.Id, u.UserName, u.DisplayName, u.AvatarUrl)).SingleAsync(cancellationToken);
}
