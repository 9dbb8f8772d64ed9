using KamaChat.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// Who is told of a user's presence and profile: the members of each server the user is in, the people in their DMs
/// and group DMs, and their friends.
/// </summary>
/// <remarks>
/// Named by one group per place they share — each server's group, never the server's channel groups: SignalR delivers
/// a message sent to several groups once per group a connection is in, so naming a server's channels too told each
/// member of a ten-channel server everything eleven times.
/// </remarks>
public sealed class PresenceAudience(KamaDbContext db)
{
    /// <summary>The groups to send <paramref name="userId"/>'s presence or profile to; one round trip.</summary>
    public async Task<List<string>> GroupsAsync(Snowflake userId, CancellationToken cancellationToken)
    {
        var places = await db.Members.AsNoTracking().Where(m => m.UserId == userId).Select(m => new { Server = true, Id = m.ServerId })
            .Concat(db.ChannelRecipients.AsNoTracking().Where(r => r.UserId == userId).Select(r => new { Server = false, Id = r.ChannelId }))
            .ToListAsync(cancellationToken);
        var groups = places.Select(p => p.Server ? GatewayGroups.Server(p.Id) : GatewayGroups.Channel(p.Id)).ToList();
        groups.Add(GatewayGroups.FriendsOf(userId));
        return groups;
    }
}
