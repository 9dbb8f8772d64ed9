using KamaChat.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// Who is told of a user's presence and profile: the members of each server the user is in, the people in their DMs
/// and group DMs, and their friends. In a large server (<see cref="GatewayOptions.LargeServerMembers"/>) only those
/// who watch the user in its member list (<see cref="GatewayHub.WatchPresences"/>).
/// </summary>
/// <remarks>
/// Named by one group per place they share — each server's group, never the server's channel groups: SignalR delivers
/// a message sent to several groups once per group a connection is in, so naming a server's channels too told each
/// member of a ten-channel server everything eleven times.
/// </remarks>
public sealed class PresenceAudience(KamaDbContext db, IOptions<GatewayOptions> options)
{
    /// <summary>Most members one connection may watch at once: a member list's screenful and then some.</summary>
    public const int MaxWatched = 200;

    /// <summary>A server (Server true) or DM channel the user is in, and whether it is a large server.</summary>
    private sealed record Place(bool Server, Snowflake Id, bool Large);

    // Compiled once: it runs each time someone comes online, a storm of them after a restart. "More than N members"
    // reads at most N + 1 index entries, however big the server.
    private static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, int, IAsyncEnumerable<Place>>> Places = new(() => EF.CompileAsyncQuery(
        (KamaDbContext db, Snowflake userId, int large) => db.Members.AsNoTracking().TagWith(PreparedStatements.Tag).Where(m => m.UserId == userId)
            .Select(m => new { Server = true, Id = m.ServerId, Large = db.Members.Where(o => o.ServerId == m.ServerId).OrderBy(o => o.UserId).Skip(large).Any() })
            .Concat(db.ChannelRecipients.AsNoTracking().Where(r => r.UserId == userId).Select(r => new { Server = false, Id = r.ChannelId, Large = false }))
            .Select(p => new Place(p.Server, p.Id, p.Large))));

    /// <summary>The groups to send <paramref name="userId"/>'s presence or profile to; one round trip.</summary>
    public async Task<List<string>> GroupsAsync(Snowflake userId, CancellationToken cancellationToken)
    {
        var places = await Places.For(db)(db, userId, options.Value.LargeServerMembers).ToListAsync(cancellationToken);
        var groups = places.Where(p => !p.Large).Select(p => p.Server ? GatewayGroups.Server(p.Id) : GatewayGroups.Channel(p.Id)).ToList();
        groups.Add(GatewayGroups.FriendsOf(userId));
        if (places.Any(p => p.Large))
            groups.Add(GatewayGroups.PresenceOf(userId));
        return groups;
    }

    /// <summary>
    /// Which of <paramref name="userIds"/> <paramref name="viewerId"/> may watch in <paramref name="serverId"/> (its
    /// members, when the viewer is one too), and whether the server is large (else its presence reaches them anyway);
    /// null when the viewer is not a member.
    /// </summary>
    public async Task<(List<Snowflake> Members, bool Large)?> WatchableAsync(
        Snowflake viewerId, Snowflake serverId, IReadOnlyCollection<Snowflake> userIds, CancellationToken cancellationToken)
    {
        var large = options.Value.LargeServerMembers;
        var found = await db.Members.AsNoTracking()
            .Where(m => m.ServerId == serverId && (m.UserId == viewerId || userIds.Contains(m.UserId)))
            .Select(m => new { m.UserId, Large = db.Members.Where(o => o.ServerId == serverId).OrderBy(o => o.UserId).Skip(large).Any() })
            .ToListAsync(cancellationToken);
        if (!found.Exists(m => m.UserId == viewerId))
            return null;
        return (found.Where(m => m.UserId != viewerId || userIds.Contains(viewerId)).Select(m => m.UserId).ToList(), found[0].Large);
    }
}
