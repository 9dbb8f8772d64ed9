using System.Collections.Frozen;
using System.ComponentModel;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Infrastructure.Caching;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Permissions;

/// <summary>A role as permissions see it.</summary>
public readonly record struct RoleFacts(Permissions Permissions, int Position);

/// <summary>What decides permissions server-wide: the owner, @everyone's permissions, every role's permissions and position.</summary>
[ImmutableObject(true)]
public sealed record ServerFacts(Snowflake OwnerId, Permissions Everyone, FrozenDictionary<Snowflake, RoleFacts> Roles);

/// <summary>The server a channel is in (none for DMs).</summary>
[ImmutableObject(true)]
public sealed record ChannelHome(Snowflake? ServerId);

/// <summary>One channel overwrite.</summary>
public readonly record struct OverwriteFacts(OverwriteTarget TargetType, Snowflake TargetId, Permissions Allow, Permissions Deny);

/// <summary>One member's standing in a server: their roles and timeout.</summary>
[ImmutableObject(true)]
public sealed record MemberFacts(DateTimeOffset? TimedOutUntil, IReadOnlyList<Snowflake> RoleIds);

/// <summary>A channel's row as permissions and handlers read it (not its last message id, which every send changes).</summary>
[ImmutableObject(true)]
public sealed record ChannelFacts(
    Snowflake Id, ChannelType Type, Snowflake? ServerId, string? Name, string? Topic, Snowflake? ParentId, int Position,
    int SlowModeSeconds, int UserLimit, string? IconUrl, Snowflake? OwnerId, string? DmKey, DateTimeOffset CreatedAt,
    IReadOnlyList<OverwriteFacts> Overwrites, IReadOnlyList<Snowflake> Recipients)
{
    /// <summary>A fresh entity for the handler (it is theirs to read; the cached facts stay as they are).</summary>
    public Channel ToChannel() => new()
    {
        Id = Id, Type = Type, ServerId = ServerId, Name = Name, Topic = Topic, ParentId = ParentId, Position = Position,
        SlowModeSeconds = SlowModeSeconds, UserLimit = UserLimit, IconUrl = IconUrl, OwnerId = OwnerId, DmKey = DmKey, CreatedAt = CreatedAt,
    };
}

/// <summary>
/// Reads the inputs of <see cref="PermissionResolver"/> through the node's cache (<see cref="KamaCache"/>), each tagged
/// with what changes it so the events that change them drop them (<see cref="CacheInvalidation"/>).
/// </summary>
public sealed class PermissionInputsReader(KamaDbContext db, KamaCache cache)
{
    public ValueTask<ServerFacts?> ServerAsync(Snowflake serverId, CancellationToken cancellationToken) =>
        cache.GetLocalAsync($"perm:server:{serverId}", [CacheTags.Server(serverId)], async token =>
        {
            var ownerId = await db.Servers.AsNoTracking().Where(s => s.Id == serverId).Select(s => (Snowflake?)s.OwnerId).SingleOrDefaultAsync(token);
            if (ownerId is null)
                return null;
            var roles = await db.Roles.AsNoTracking().Where(r => r.ServerId == serverId)
                .Select(r => new { r.Id, r.Permissions, r.Position }).ToListAsync(token);
            var everyone = roles.Where(r => r.Id == serverId).Select(r => r.Permissions).FirstOrDefault();
            return new ServerFacts(ownerId.Value, everyone, roles.ToFrozenDictionary(r => r.Id, r => new RoleFacts(r.Permissions, r.Position)));
        }, cancellationToken);

    /// <summary>Null when the user is not a member.</summary>
    public ValueTask<MemberFacts?> MemberAsync(Snowflake serverId, Snowflake userId, CancellationToken cancellationToken) =>
        cache.GetLocalAsync($"perm:member:{serverId}:{userId}", [CacheTags.Server(serverId), CacheTags.Member(serverId, userId)], async token =>
        {
            var member = await db.Members.AsNoTracking().Where(m => m.ServerId == serverId && m.UserId == userId)
                .Select(m => new { m.TimedOutUntil }).SingleOrDefaultAsync(token);
            if (member is null)
                return null;
            var roleIds = await db.MemberRoles.AsNoTracking().Where(mr => mr.ServerId == serverId && mr.UserId == userId)
                .Select(mr => mr.RoleId).ToListAsync(token);
            return new MemberFacts(member.TimedOutUntil, roleIds);
        }, cancellationToken);

    /// <summary>
    /// A channel and its overwrites, tagged with its server too: server events (a member leaving takes their overwrites
    /// with them, a deleted role its own) drop the server's channels. The server is known once the channel is found, so
    /// which server a channel is in (fixed for its life) is cached first.
    /// </summary>
    public async ValueTask<ChannelFacts?> ChannelAsync(Snowflake channelId, CancellationToken cancellationToken)
    {
        var home = await cache.GetLocalAsync($"perm:channel-home:{channelId}", [CacheTags.Channel(channelId)], async token =>
            await db.Channels.AsNoTracking().Where(c => c.Id == channelId).Select(c => new ChannelHome(c.ServerId)).SingleOrDefaultAsync(token),
            cancellationToken);
        if (home is null)
            return null;
        string[] tags = home.ServerId is { } serverId ? [CacheTags.Channel(channelId), CacheTags.Server(serverId)] : [CacheTags.Channel(channelId)];
        return await cache.GetLocalAsync($"perm:channel:{channelId}", tags, async token =>
        {
            var channel = await db.Channels.AsNoTracking().SingleOrDefaultAsync(c => c.Id == channelId, token);
            if (channel is null)
                return null;
            var overwrites = channel.IsPrivate ? []
                : await db.PermissionOverwrites.AsNoTracking().Where(o => o.ChannelId == channelId)
                    .Select(o => new OverwriteFacts(o.TargetType, o.TargetId, o.Allow, o.Deny)).ToListAsync(token);
            var recipients = channel.IsPrivate
                ? await db.ChannelRecipients.AsNoTracking().Where(r => r.ChannelId == channelId).Select(r => r.UserId).ToListAsync(token)
                : [];
            return new ChannelFacts(channel.Id, channel.Type, channel.ServerId, channel.Name, channel.Topic, channel.ParentId, channel.Position,
                channel.SlowModeSeconds, channel.UserLimit, channel.IconUrl, channel.OwnerId, channel.DmKey, channel.CreatedAt, overwrites, recipients);
        }, cancellationToken);
    }
}
