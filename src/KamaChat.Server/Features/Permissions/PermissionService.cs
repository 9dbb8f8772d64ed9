using System.Collections.Frozen;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Channels;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Permissions;

/// <summary>
/// Gathers what <see cref="PermissionResolver"/> needs, through the node's cache (<see cref="PermissionInputsReader"/>).
/// A null answer means "you cannot see this": endpoints turn it into 404, so nobody learns that a server or channel they have no access to exists.
/// Endpoints declare what they need (<see cref="PermissionFilters"/>); the gateway asks <see cref="AuthorizeChannelAsync"/>.
/// A timed-out member keeps only <see cref="ServerAccess.KeptWhileTimedOut"/> in these answers: the cache holds the
/// timeout's end, never the reduced permissions, and each answer compares that end with the clock, so a timeout ends by
/// itself on every node. What the gateway lists (Ready, ServerView) is what the member holds apart from a timeout:
/// those lists are not sent again when a timeout ends, so the client applies the timeout itself (it knows its end).
/// </summary>
public sealed class PermissionService(KamaDbContext db, PermissionInputsReader inputs, TimeProvider time)
{
    /// <summary>The one decision for "may this user do <paramref name="needed"/> in this server".</summary>
    public async Task<AccessDecision<ServerAccess>> AuthorizeServerAsync(
        Snowflake userId, Snowflake serverId, Permissions needed, CancellationToken cancellationToken) =>
        await ForServerAsync(userId, serverId, cancellationToken) is { } access ? Decide(access, access.Permissions, access.Held, needed, access) : default;

    /// <summary>The one decision for "may this user do <paramref name="needed"/> in this channel" (server channel, DM or group DM).</summary>
    public async Task<AccessDecision<ChannelAccess>> AuthorizeChannelAsync(
        Snowflake userId, Snowflake channelId, Permissions needed, CancellationToken cancellationToken) =>
        await ForChannelAsync(userId, channelId, cancellationToken) is { } access ? Decide(access, access.Permissions, access.Held, needed, access.Server) : default;

    /// <summary>
    /// What the access (<paramref name="now"/>) lacks of <paramref name="needed"/>, and whether the timeout alone is why:
    /// they would hold it all with <paramref name="held"/>, what their roles and overwrites give them apart from it.
    /// </summary>
    private static AccessDecision<TAccess> Decide<TAccess>(TAccess access, Permissions now, Permissions held, Permissions needed, ServerAccess? server)
        where TAccess : class
    {
        var missing = needed & ~now;
        return new(access, missing, missing != Permissions.None && (needed & ~held) == Permissions.None ? server?.TimedOutUntil : null);
    }

    public async Task<ServerAccess?> ForServerAsync(Snowflake userId, Snowflake serverId, CancellationToken cancellationToken) =>
        await StandingAsync(userId, serverId, cancellationToken) is { } standing ? Now(standing.Access) : null;

    /// <summary>A member's standing as it is at this moment: while a timeout holds them, only what it leaves.</summary>
    private ServerAccess Now(ServerAccess held) =>
        held.TimeoutAt(time.GetUtcNow()) is not null ? held with { Permissions = held.Permissions & ServerAccess.KeptWhileTimedOut } : held;

    /// <summary>The member's standing apart from a timeout, and their facts (null: not a member).</summary>
    private async Task<(ServerAccess Access, MemberFacts Member)?> StandingAsync(Snowflake userId, Snowflake serverId, CancellationToken cancellationToken)
    {
        if (await inputs.MemberAsync(serverId, userId, cancellationToken) is not { } member)
            return null;
        if (await inputs.ServerAsync(serverId, cancellationToken) is not { } server)
            return null;
        return (Standing(userId, serverId, server, member), member);
    }

    private static ServerAccess Standing(Snowflake userId, Snowflake serverId, ServerFacts server, MemberFacts member)
    {
        var roles = member.RoleIds.Where(server.Roles.ContainsKey).Select(id => server.Roles[id]).ToList();
        var isOwner = server.OwnerId == userId;
        var permissions = PermissionResolver.Resolve(new PermissionInputs(isOwner, server.Everyone, roles.Select(r => r.Permissions).ToList()));
        var highest = isOwner ? int.MaxValue : roles.Count == 0 ? 0 : roles.Max(r => r.Position);
        return new ServerAccess(serverId, server.OwnerId, isOwner, permissions, highest, member.TimedOutUntil) { Held = permissions };
    }

    /// <summary>
    /// A server the user is a member of, as Ready lists it, with the channels they can see in it (each channel with the
    /// columns Ready shows, <see cref="Gateway.ReadyChannel"/>, and its server; not its creation time or settings).
    /// </summary>
    public sealed record MemberServer(Snowflake Id, string Name, string? IconUrl, Snowflake OwnerId, string? BannerUrl, IReadOnlyList<ChannelAccess> Visible);

    /// <summary>
    /// Every server the user is in, by id, with the channels they can see in each, in the same three queries however many
    /// servers that is (gateway connect and Ready; one server at a time would cost a user in 100 servers hundreds of
    /// queries). Each query is compiled once and takes only the user's id: no list of server ids to send, to expand into
    /// SQL or to look up in the command cache, so its cost is the rows it reads.
    /// </summary>
    public async Task<List<MemberServer>> VisibleChannelsInAllServersAsync(Snowflake userId, CancellationToken cancellationToken) =>
        VisibleChannelsInAllServers(userId, await AllServersAsync(userId, cancellationToken));

    /// <summary>What <see cref="VisibleChannelsInAllServers"/> decides from: the user's memberships, their servers' roles and channels.</summary>
    internal sealed record AllServers(
        List<MembershipQueries.Membership> Members, List<MembershipQueries.RoleRow> Roles, List<MembershipQueries.ChannelRow> Channels);

    /// <summary>
    /// The three queries, always all three (no early answer for a user in no server): a connect runs them in a
    /// <see cref="QueryBatch"/>, which needs the same commands whatever the rows.
    /// </summary>
    internal async Task<AllServers> AllServersAsync(Snowflake userId, CancellationToken cancellationToken) => new(
        await MembershipQueries.MembershipsAsync(db, userId, cancellationToken),
        await MembershipQueries.Roles.For(db)(db, userId).ToListAsync(cancellationToken),
        await MembershipQueries.Channels.For(db)(db, userId).ToListAsync(cancellationToken));

    internal static List<MemberServer> VisibleChannelsInAllServers(Snowflake userId, AllServers read)
    {
        var (members, roleRows, channelRows) = (read.Members, read.Roles, read.Channels);
        if (members.Count == 0)
            return [];
        var roles = roleRows.ToLookup(r => r.ServerId);
        // A row per overwrite: the channel from its first row, the overwrites from all of them.
        var overwrites = new Dictionary<Snowflake, List<OverwriteFacts>>();
        var all = new List<Channel>();
        foreach (var row in channelRows)
        {
            if (!overwrites.TryGetValue(row.Channel.Id, out var mine))
            {
                overwrites[row.Channel.Id] = mine = [];
                all.Add(row.Channel);
            }
            if (row.Overwrite is { } overwrite)
                mine.Add(overwrite);
        }
        var channels = all.ToLookup(c => c.ServerId!.Value);

        var servers = new List<MemberServer>(members.Count);
        foreach (var member in members)
        {
            var serverRoles = roles[member.ServerId].ToList();
            var facts = new ServerFacts(member.OwnerId, serverRoles.Where(r => r.Id == member.ServerId).Select(r => r.Permissions).FirstOrDefault(),
                serverRoles.ToFrozenDictionary(r => r.Id, r => new RoleFacts(r.Permissions, r.Position)));
            var server = Standing(userId, member.ServerId, facts, new MemberFacts(member.TimedOutUntil, member.RoleIds));
            var visible = Visible(userId, server, member.RoleIds.ToHashSet(), channels[member.ServerId], channel => overwrites[channel.Id]);
            servers.Add(new MemberServer(member.ServerId, member.Name, member.IconUrl, member.OwnerId, member.BannerUrl, visible));
        }
        return servers;
    }

    /// <summary>What several members can see in one server now, by user (missing: not a member), and every channel of it.</summary>
    public sealed record ServerView(IReadOnlyList<Snowflake> ChannelIds, Dictionary<Snowflake, IReadOnlyList<ChannelAccess>> VisibleByUser);

    /// <summary>
    /// The channels each of these users can see in one server, in the same few queries however many users they are
    /// (a role or overwrite change in a big server re-groups every connected member at once, not one by one).
    /// </summary>
    public async Task<ServerView> VisibleChannelsOfMembersAsync(Snowflake serverId, IReadOnlyCollection<Snowflake> userIds, CancellationToken cancellationToken)
    {
        var channels = await db.Channels.AsNoTracking().Where(c => c.ServerId == serverId).ToListAsync(cancellationToken);
        var view = new ServerView(channels.Select(c => c.Id).ToList(), []);
        if (userIds.Count == 0 || await inputs.ServerAsync(serverId, cancellationToken) is not { } server)
            return view;
        var overwrites = (await db.PermissionOverwrites.AsNoTracking()
                .Where(o => db.Channels.Any(c => c.Id == o.ChannelId && c.ServerId == serverId))
                .Select(o => new { o.ChannelId, Facts = new OverwriteFacts(o.TargetType, o.TargetId, o.Allow, o.Deny) })
                .ToListAsync(cancellationToken))
            .ToLookup(o => o.ChannelId, o => o.Facts);
        // In chunks: a query's parameters are bounded (SQLite's default is 32,766), a server's connected members are not.
        foreach (var chunk in userIds.Chunk(1000))
        {
            var ids = chunk.ToList();
            var members = await db.Members.AsNoTracking().Where(m => m.ServerId == serverId && ids.Contains(m.UserId))
                .Select(m => new { m.UserId, m.TimedOutUntil }).ToListAsync(cancellationToken);
            var memberRoles = (await db.MemberRoles.AsNoTracking().Where(mr => mr.ServerId == serverId && ids.Contains(mr.UserId))
                .Select(mr => new { mr.UserId, mr.RoleId }).ToListAsync(cancellationToken)).ToLookup(r => r.UserId, r => r.RoleId);
            foreach (var member in members)
            {
                var roleIds = memberRoles[member.UserId].ToList();
                var standing = Standing(member.UserId, serverId, server, new MemberFacts(member.TimedOutUntil, roleIds));
                view.VisibleByUser[member.UserId] = Visible(member.UserId, standing, roleIds.ToHashSet(), channels, channel => overwrites[channel.Id].ToList());
            }
        }
        return view;
    }

    /// <summary>The access to a channel as it is at this moment, with what the user holds there apart from a timeout.</summary>
    public async Task<ChannelAccess?> ForChannelAsync(Snowflake userId, Snowflake channelId, CancellationToken cancellationToken)
    {
        if (await inputs.ChannelAsync(channelId, cancellationToken) is not { } channel)
            return null;

        if (channel.ServerId is not { } serverId)
            return channel.Recipients.Contains(userId) ? new ChannelAccess(channel.ToChannel(), Permissions.DirectMessage, null) { Held = Permissions.DirectMessage } : null;

        if (await StandingAsync(userId, serverId, cancellationToken) is not var (server, member))
            return null;
        var held = Resolve(userId, server, member.RoleIds.ToHashSet(), channel.Overwrites);
        if (!held.HasFlag(Permissions.ViewChannel))
            return null;
        // What a timeout leaves is kept bit by bit, so masking the channel's permissions equals resolving from the masked standing.
        var now = Now(server);
        return new ChannelAccess(channel.ToChannel(), ReferenceEquals(now, server) ? held : held & ServerAccess.KeptWhileTimedOut, now) { Held = held };
    }

    /// <summary>Every channel of a server the user can see, with their permissions in it (for channel lists and gateway groups).</summary>
    public async Task<IReadOnlyList<ChannelAccess>> VisibleChannelsAsync(Snowflake userId, Snowflake serverId, CancellationToken cancellationToken) =>
        await ForServerAsync(userId, serverId, cancellationToken) is { } server ? await VisibleChannelsAsync(userId, server, cancellationToken) : [];

    /// <summary>Every channel of the server the user can see, given their standing there (already resolved by a permission filter).</summary>
    public async Task<IReadOnlyList<ChannelAccess>> VisibleChannelsAsync(Snowflake userId, ServerAccess server, CancellationToken cancellationToken)
    {
        var serverId = server.ServerId;
        var channels = await db.Channels.AsNoTracking().Where(c => c.ServerId == serverId).ToListAsync(cancellationToken);
        var overwrites = (await db.PermissionOverwrites.AsNoTracking()
                .Where(o => db.Channels.Any(c => c.Id == o.ChannelId && c.ServerId == serverId))
                .ToListAsync(cancellationToken))
            .ToLookup(o => o.ChannelId);
        var roleIds = await MemberRoleIdsAsync(userId, serverId, cancellationToken);
        return Visible(userId, server, roleIds, channels,
            channel => overwrites[channel.Id].Select(o => new OverwriteFacts(o.TargetType, o.TargetId, o.Allow, o.Deny)).ToList());
    }

    private static List<ChannelAccess> Visible(
        Snowflake userId, ServerAccess server, HashSet<Snowflake> roleIds, IEnumerable<Channel> channels, Func<Channel, IReadOnlyList<OverwriteFacts>> overwrites)
    {
        var visible = new List<ChannelAccess>();
        foreach (var channel in channels)
        {
            var permissions = Resolve(userId, server, roleIds, overwrites(channel));
            if (permissions.HasFlag(Permissions.ViewChannel))
            {
                // Resolved again only for a member a timeout holds (what they hold apart from it, for handlers' refusals).
                var held = server.Held == server.Permissions ? permissions : Resolve(userId, server with { Permissions = server.Held }, roleIds, overwrites(channel));
                visible.Add(new ChannelAccess(channel, permissions, server) { Held = held });
            }
        }
        return visible;
    }

    private Task<HashSet<Snowflake>> MemberRoleIdsAsync(Snowflake userId, Snowflake serverId, CancellationToken cancellationToken) =>
        db.MemberRoles.AsNoTracking()
            .Where(mr => mr.ServerId == serverId && mr.UserId == userId)
            .Select(mr => mr.RoleId)
            .ToHashSetAsync(cancellationToken);

    private static Permissions Resolve(Snowflake userId, ServerAccess server, HashSet<Snowflake> roleIds, IReadOnlyList<OverwriteFacts> overwrites)
    {
        if (server.IsOwner || server.Permissions.HasFlag(Permissions.Administrator))
            return Permissions.All;
        Overwrite? everyone = null, member = null;
        var roles = new List<Overwrite>();
        foreach (var o in overwrites)
        {
            if (o.TargetType == OverwriteTarget.Role && o.TargetId == server.ServerId)
                everyone = new Overwrite(o.Allow, o.Deny);
            else if (o.TargetType == OverwriteTarget.Role && roleIds.Contains(o.TargetId))
                roles.Add(new Overwrite(o.Allow, o.Deny));
            else if (o.TargetType == OverwriteTarget.Member && o.TargetId == userId)
                member = new Overwrite(o.Allow, o.Deny);
        }
        // The server-level permissions already hold @everyone and the member's roles; the overwrites go on top.
        return PermissionResolver.Resolve(new PermissionInputs(false, server.Permissions, [], new ChannelOverwrites(everyone, roles, member)));
    }
}

public static class PermissionExtensions
{
    public static IHostApplicationBuilder AddPermissions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<PermissionService>();
        builder.Services.AddScoped<PermissionInputsReader>();
        return builder;
    }
}
