using KamaChat.Server.Data;
using KamaChat.Server.Features.Channels;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Permissions;

/// <summary>
/// Loads what <see cref="PermissionResolver"/> needs from the database. A null answer means "you cannot see this":
/// endpoints turn it into 404, so nobody learns that a server or channel they have no access to exists.
/// Endpoints declare what they need (<see cref="PermissionFilters"/>); the gateway asks <see cref="AuthorizeChannelAsync"/>.
/// </summary>
public sealed class PermissionService(KamaDbContext db)
{
    /// <summary>The one decision for "may this user do <paramref name="needed"/> in this server".</summary>
    public async Task<AccessDecision<ServerAccess>> AuthorizeServerAsync(
        Snowflake userId, Snowflake serverId, Permissions needed, CancellationToken cancellationToken) =>
        await ForServerAsync(userId, serverId, cancellationToken) is { } access ? new(access, needed & ~access.Permissions) : default;

    /// <summary>The one decision for "may this user do <paramref name="needed"/> in this channel" (server channel, DM or group DM).</summary>
    public async Task<AccessDecision<ChannelAccess>> AuthorizeChannelAsync(
        Snowflake userId, Snowflake channelId, Permissions needed, CancellationToken cancellationToken) =>
        await ForChannelAsync(userId, channelId, cancellationToken) is { } access ? new(access, needed & ~access.Permissions) : default;

    public async Task<ServerAccess?> ForServerAsync(Snowflake userId, Snowflake serverId, CancellationToken cancellationToken)
    {
        var standing = await db.Servers.AsNoTracking()
            .Where(s => s.Id == serverId && s.Members.Any(m => m.UserId == userId))
            .Select(s => new
            {
                s.OwnerId,
                TimedOutUntil = s.Members.Where(m => m.UserId == userId).Select(m => m.TimedOutUntil).FirstOrDefault(),
                Everyone = s.Roles.Where(r => r.Id == serverId).Select(r => r.Permissions).FirstOrDefault(),
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (standing is null)
            return null;

        var roles = await db.MemberRoles.AsNoTracking()
            .Where(mr => mr.ServerId == serverId && mr.UserId == userId)
            .Select(mr => new { mr.Role.Permissions, mr.Role.Position })
            .ToListAsync(cancellationToken);
        var isOwner = standing.OwnerId == userId;
        var permissions = PermissionResolver.Resolve(new PermissionInputs(isOwner, standing.Everyone, roles.Select(r => r.Permissions).ToList()));
        var highest = isOwner ? int.MaxValue : roles.Count == 0 ? 0 : roles.Max(r => r.Position);
        return new ServerAccess(serverId, standing.OwnerId, isOwner, permissions, highest, standing.TimedOutUntil);
    }

    public async Task<ChannelAccess?> ForChannelAsync(Snowflake userId, Snowflake channelId, CancellationToken cancellationToken)
    {
        var channel = await db.Channels.AsNoTracking().SingleOrDefaultAsync(c => c.Id == channelId, cancellationToken);
        if (channel is null)
            return null;

        if (channel.IsPrivate)
            return await db.ChannelRecipients.AnyAsync(r => r.ChannelId == channelId && r.UserId == userId, cancellationToken)
                ? new ChannelAccess(channel, Permissions.DirectMessage, null)
                : null;

        var server = await ForServerAsync(userId, channel.ServerId!.Value, cancellationToken);
        if (server is null)
            return null;
        var overwrites = await db.PermissionOverwrites.AsNoTracking().Where(o => o.ChannelId == channelId).ToListAsync(cancellationToken);
        var permissions = await ResolveInChannelAsync(userId, server, overwrites, cancellationToken);
        return permissions.HasFlag(Permissions.ViewChannel) ? new ChannelAccess(channel, permissions, server) : null;
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
            var permissions = Resolve(userId, server, roleIds, overwrites[channel.Id].ToList());
            if (permissions.HasFlag(Permissions.ViewChannel))
                visible.Add(new ChannelAccess(channel, permissions, server));
        }
        return visible;
    }

    private async Task<Permissions> ResolveInChannelAsync(Snowflake userId, ServerAccess server, List<PermissionOverwrite> overwrites, CancellationToken cancellationToken)
    {
        if (server.IsOwner || server.Permissions.HasFlag(Permissions.Administrator))
            return Permissions.All;
        var roleIds = overwrites.Count == 0 ? [] : await MemberRoleIdsAsync(userId, server.ServerId, cancellationToken);
        return Resolve(userId, server, roleIds, overwrites);
    }

    private Task<HashSet<Snowflake>> MemberRoleIdsAsync(Snowflake userId, Snowflake serverId, CancellationToken cancellationToken) =>
        db.MemberRoles.AsNoTracking()
            .Where(mr => mr.ServerId == serverId && mr.UserId == userId)
            .Select(mr => mr.RoleId)
            .ToHashSetAsync(cancellationToken);

    private static Permissions Resolve(Snowflake userId, ServerAccess server, HashSet<Snowflake> roleIds, List<PermissionOverwrite> overwrites)
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
        return builder;
    }
}
