using KamaChat.Server.Data;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.Relationships;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Gateway;

/// <summary>Which SignalR groups a user's connections belong in: their user, each server they are in, each channel they can see.</summary>
public sealed class GatewayGroups(KamaDbContext db, PermissionService permissions)
{
    public static string User(Snowflake id) => "user:" + id;

    public static string Server(Snowflake id) => ServerPrefix + id;

    private const string ServerPrefix = "server:";

    /// <summary>The server whose group this is, or null for any other group.</summary>
    public static Snowflake? ServerOf(string group) =>
        group.StartsWith(ServerPrefix, StringComparison.Ordinal) && Snowflake.TryParse(group.AsSpan(ServerPrefix.Length), out var id) ? id : null;

    public static string Channel(Snowflake id) => "channel:" + id;

    /// <summary>The connections of <paramref name="id"/>'s friends: where their presence goes besides shared servers and DMs. No event goes here.</summary>
    public static string FriendsOf(Snowflake id) => "friends-of:" + id;

    /// <summary>The connections watching <paramref name="id"/> in a large server's member list (<see cref="GatewayHub.WatchPresences"/>). No event goes here.</summary>
    public static string PresenceOf(Snowflake id) => PresencePrefix + id;

    internal const string PresencePrefix = "presence:";

    public static string For(EventScope scope, Snowflake id) => scope switch
    {
        EventScope.Channel => Channel(id),
        EventScope.Server => Server(id),
        _ => User(id),
    };

    public async Task<HashSet<string>> DesiredForAsync(Snowflake userId, CancellationToken cancellationToken) =>
        (await SnapshotAsync(userId, cancellationToken)).Groups;

    /// <summary>
    /// The groups, with what they were computed from that the Ready payload reuses rather than reading again: the user's
    /// servers (by id) with what they can see in each, their DM channels and their friends.
    /// </summary>
    public sealed record Snapshot(
        HashSet<string> Groups, List<PermissionService.MemberServer> Servers, List<Snowflake> DirectChannelIds, List<Snowflake> FriendIds);

    /// <summary>A DM or group DM channel the user is in (Friend false), or a friend of theirs (Friend true).</summary>
    internal sealed record Related(bool Friend, Snowflake Id);

    // DM channels and friends in one round trip, compiled once (it runs on every connect).
    private static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, IAsyncEnumerable<Related>>> RelatedTo = new(() => EF.CompileAsyncQuery(
        (KamaDbContext db, Snowflake userId) => db.ChannelRecipients.AsNoTracking().TagWith(PreparedStatements.Tag).Where(r => r.UserId == userId).Select(r => new { Friend = false, Id = r.ChannelId })
            .Concat(db.Set<Relationship>().AsNoTracking().Where(r => r.UserId == userId && r.Type == RelationshipType.Friend)
                .Select(r => new { Friend = true, Id = r.OtherUserId }))
            .Select(r => new Related(r.Friend, r.Id))));

    public async Task<Snapshot> SnapshotAsync(Snowflake userId, CancellationToken cancellationToken) =>
        SnapshotOf(userId, await ReadAsync(userId, cancellationToken));

    /// <summary>What a snapshot is computed from: the user's servers, and their DM channels and friends.</summary>
    internal sealed record Facts(PermissionService.AllServers Servers, List<Related> Related);

    /// <summary>The snapshot's queries, the same ones whatever they find (so a connect can run them in a <see cref="QueryBatch"/>).</summary>
    internal async Task<Facts> ReadAsync(Snowflake userId, CancellationToken cancellationToken) =>
        // One batch for every server: the same queries for a user in 1 server or in 100.
        new(await permissions.AllServersAsync(userId, cancellationToken), await RelatedTo.For(db)(db, userId).ToListAsync(cancellationToken));

    internal static Snapshot SnapshotOf(Snowflake userId, Facts facts)
    {
        var groups = new HashSet<string>(StringComparer.Ordinal) { User(userId) };
        var servers = PermissionService.VisibleChannelsInAllServers(userId, facts.Servers);
        foreach (var server in servers)
        {
            groups.Add(Server(server.Id));
            foreach (var channel in server.Visible)
                groups.Add(Channel(channel.Channel.Id));
        }
        var directChannels = facts.Related.Where(r => !r.Friend).Select(r => r.Id).ToList();
        var friends = facts.Related.Where(r => r.Friend).Select(r => r.Id).ToList();
        foreach (var channelId in directChannels)
            groups.Add(Channel(channelId));
        foreach (var friendId in friends)
            groups.Add(FriendsOf(friendId));
        return new Snapshot(groups, servers, directChannels, friends);
    }

    /// <summary>
    /// Moves one connection into exactly the desired groups among <paramref name="within"/> (one server's groups), leaving
    /// its other groups alone; all of its groups when <paramref name="within"/> is null, except the presences it watches
    /// in a large server's member list, which stay while it is still in that server.
    /// </summary>
    public static async Task SyncWithinAsync(
        IHubContext<GatewayHub> hub, ConnectionRegistry connections, GatewayConnection connection, IReadOnlySet<string> desired, IReadOnlySet<string>? within,
        CancellationToken cancellationToken)
    {
        await connection.Gate.WaitAsync(cancellationToken);
        try
        {
            // Closed meanwhile: SignalR dropped its groups, the registry its servers.
            if (connection.IsClosed)
                return;
            var keepWatches = within is null && connection.WatchedServer is { } watched && desired.Contains(Server(watched));
            if (within is null && !keepWatches)
                connection.WatchedServer = null;
            foreach (var group in connection.Groups.Keys.Where(g => (within is null || within.Contains(g)) && !desired.Contains(g) &&
                                                                    !(keepWatches && g.StartsWith(PresencePrefix, StringComparison.Ordinal))).ToList())
            {
                await hub.Groups.RemoveFromGroupAsync(connection.ConnectionId, group, cancellationToken);
                // The lifetime manager's leave took it out of the set already, unless the connection closed meanwhile.
                connection.Groups.TryRemove(group, out _);
                if (ServerOf(group) is { } serverId)
                    connections.LeftServer(serverId, connection.UserId);
            }
            foreach (var group in desired.Where(g => !connection.Groups.ContainsKey(g)).ToList())
            {
                await hub.Groups.AddToGroupAsync(connection.ConnectionId, group, cancellationToken);
                // The same: so that a connection closed meanwhile still leaves the servers it is counted in here.
                connection.Groups[group] = 0;
                if (ServerOf(group) is { } serverId)
                    connections.JoinedServer(serverId, connection.UserId);
            }
        }
        finally
        {
            connection.Gate.Release();
        }
    }

    /// <summary>Moves one connection into exactly the desired groups.</summary>
    public static Task SyncAsync(
        IHubContext<GatewayHub> hub, ConnectionRegistry connections, GatewayConnection connection, HashSet<string> desired, CancellationToken cancellationToken) =>
        SyncWithinAsync(hub, connections, connection, desired, within: null, cancellationToken);
}
