using KamaChat.Server.Data;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.DirectMessages;

/// <summary>What the DM endpoints and account deletion share: describing DM channels and taking a participant out of one.</summary>
public static class DmChannels
{
    public static string KeyFor(Snowflake a, Snowflake b) => $"{Snowflake.Min(a, b)}:{Snowflake.Max(a, b)}";

    /// <summary>The DM channels with these ids, in the order given.</summary>
    public static async Task<List<DmChannelResponse>> DescribeAsync(KamaDbContext db, IReadOnlyList<Snowflake> channelIds, CancellationToken cancellationToken)
    {
        var ids = channelIds.ToList();
        var channels = await db.Channels.AsNoTracking().Where(c => ids.Contains(c.Id))
            .Select(c => new { c.Id, c.Type, c.Name, c.IconUrl, c.OwnerId, c.LastMessageId })
            .ToDictionaryAsync(c => c.Id, cancellationToken);
        var recipients = (await db.ChannelRecipients.AsNoTracking().Where(r => ids.Contains(r.ChannelId))
                .Select(r => new { r.ChannelId, r.JoinedAt, r.User.Id, r.User.UserName, r.User.DisplayName, r.User.AvatarUrl })
                .ToListAsync(cancellationToken))
            .ToLookup(r => r.ChannelId);
        return ids.Where(channels.ContainsKey).Select(id =>
        {
            var c = channels[id];
            return new DmChannelResponse(
                c.Id, ChannelResponse.TypeName(c.Type), c.Name, c.IconUrl, c.OwnerId,
                recipients[id].OrderBy(r => r.JoinedAt).ThenBy(r => r.Id).Select(r => UserSummary.Of(r.Id, r.UserName, r.DisplayName, r.AvatarUrl)).ToList(),
                c.LastMessageId);
        }).ToList();
    }

    public static async Task<DmChannelResponse> DescribeAsync(KamaDbContext db, Snowflake channelId, CancellationToken cancellationToken) =>
        (await DescribeAsync(db, [channelId], cancellationToken)).Single();

    /// <summary>
    /// Takes a participant out of a DM or group DM inside <paramref name="change"/>. When the group's owner leaves, the
    /// longest-standing participant takes over; when the last one leaves, the channel and its history are deleted.
    /// </summary>
    public static async Task RemoveRecipientAsync(KamaDbContext db, EventTransaction change, Snowflake channelId, Snowflake userId, CancellationToken cancellationToken)
    {
        var leaving = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => UserSummary.Of(u.Id, u.UserName, u.DisplayName, u.AvatarUrl)).SingleAsync(cancellationToken);
        await change.AppendAsync(new RecipientRemoved(channelId, leaving), cancellationToken);
        await db.ChannelRecipients.Where(r => r.ChannelId == channelId && r.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await change.AppendAsync(new DmChannelRemoved(userId, channelId), cancellationToken);

        var remaining = (await db.ChannelRecipients.AsNoTracking().Where(r => r.ChannelId == channelId)
                .Select(r => new { r.UserId, r.JoinedAt }).ToListAsync(cancellationToken))
            .OrderBy(r => r.JoinedAt).ThenBy(r => r.UserId).ToList();
        if (remaining.Count == 0)
        {
            await db.Channels.Where(c => c.Id == channelId).ExecuteDeleteAsync(cancellationToken);
            return;
        }

        var channel = await db.Channels.AsNoTracking().Where(c => c.Id == channelId).Select(c => new { c.Type, c.OwnerId }).SingleAsync(cancellationToken);
        if (channel.Type == ChannelType.GroupDm && channel.OwnerId == userId)
            await db.Channels.Where(c => c.Id == channelId).ExecuteUpdateAsync(s => s.SetProperty(c => c.OwnerId, remaining[0].UserId), cancellationToken);
        var updated = await DescribeAsync(db, channelId, cancellationToken);
        foreach (var recipient in remaining)
            await change.AppendAsync(new DmChannelUpdated(recipient.UserId, updated), cancellationToken);
    }
}
