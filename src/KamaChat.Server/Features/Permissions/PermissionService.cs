using KamaChat.Server.Data;
using KamaChat.Server.Features.Channels;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Permissions;

/// <summary>
/// Gathers what <see cref="PermissionResolver"/> needs, through the node's cache (<see cref="PermissionInputsReader"/>).
/// A null answer means "you cannot see this": endpoints turn it into 404, so nobody learns that a server or channel they have no access to exists.
/// Endpoints declare what they need (<see cref="PermissionFilters"/>); the gateway asks <see cref="AuthorizeChannelAsync"/>.
/// </summary>
public sealed class PermissionService(KamaDbContext db, PermissionInputsReader inputs)
{
    /// <summary>The one decision for "may this user do <paramref name="needed"/> in this server".</summary>
    public async Task<AccessDecision<ServerAccess>> AuthorizeServerAsync(
        Snowflake userId, Snowflake serverId, Permissions needed, CancellationToken cancellationToken) =>
        await ForServerAsync(userId, serverId, cancellationToken) is { } access ? new(access, needed & ~access.Permissions) : default;

    /// <summary>The one decision for "may this user do <paramref name="needed"/> in this channel" (server channel, DM or group DM).</summary>
    public async Task<AccessDecision<ChannelAccess>> AuthorizeChannelAsync(
        Snowflake userId, Snowflake channelId, Permissions needed, CancellationToken cancellationToken) =>
        await ForChannelAsync(userId, channelId, cancellationToken) is { } access ? new(access, needed & ~access.Permissions) : default;

    public async Task<ServerAccess?> ForServerAsync(Snowflake userId, Snowflake serverId, CancellationToken cancellationToken) =>
        (await StandingAsync(userId, serverId, cancellationToken))?.Access;

    private async Task<(ServerAccess Access, MemberFacts Member)?> StandingAsync(Snowflake userId, Snowflake serverId, CancellationToken cancellationToken)
    {
        if (await inputs.MemberAsync(serverId, userId, cancellationToken) is not { } member)
            return null;
        if (await inputs.ServerAsync(serverId, cancellationToken) is not { } server)
            return null;
        var roles = member.RoleIds.Where(server.Roles.ContainsKey).Select(id => server.Roles[id]).ToList();
        var isOwner = server.OwnerId == userId;
        var permissions = PermissionResolver.Resolve(new PermissionInputs(isOwner, server.Everyone, roles.Select(r => r.Permissions).ToList()));
        var highest = isOwner ? int.MaxValue : roles.Count == 0 ? 0 : roles.Max(r => r.Position);
        return (new ServerAccess(serverId, server.OwnerId, isOwner, permissions, highest, member.TimedOutUntil), member);
    }

    public async Task<ChannelAccess?> ForChannelAsync(Snowflake userId, Snowflake channelId, CancellationToken cancellationToken)
    {
        if (await inputs.ChannelAsync(channelId, cancellationToken) is not { } channel)
            return null;

        if (channel.ServerId is not { } serverId)
            return channel.Recipients.Contains(userId) ? new ChannelAccess(channel.ToChannel(), Permissions.DirectMessage, null) : null;

        if (await StandingAsync(userId, serverId, cancellationToken) is not var (server, member))
            return null;
        var permissions = Resolve(userId, server, member.RoleIds.ToHashSet(), channel.Overwrites);
        return permissions.HasFlag(Permissions.ViewChannel) ? new ChannelAccess(channel.ToChannel(), permissions, server) : null;
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

        var visible = new List<ChannelAccess>(channels.Count);
        foreach (var channel in channels)
        {
            var permissions = Resolve(userId, server, roleIds,
                overwrites[channel.Id].Select(o => new OverwriteFacts(o.TargetType, o.TargetId, o.Allow, o.Deny)).ToList());
            if (permissions.HasFlag(Permissions.ViewChannel))
                visible.Add(new ChannelAccess(channel, permissions, server));
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
