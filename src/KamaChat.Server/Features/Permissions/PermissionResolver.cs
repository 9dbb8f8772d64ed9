namespace KamaChat.Server.Features.Permissions;

/// <summary>An allow/deny pair from a channel overwrite.</summary>
public readonly record struct Overwrite(Permissions Allow, Permissions Deny);

/// <summary>A channel's overwrites that apply to one member: @everyone's, those of the member's roles, the member's own.</summary>
public sealed record ChannelOverwrites(Overwrite? Everyone, IReadOnlyList<Overwrite> Roles, Overwrite? Member);

/// <summary>Everything that decides a member's permissions in a server, and in one channel when <see cref="Channel"/> is given.</summary>
public sealed record PermissionInputs(
    bool IsOwner,
    Permissions Everyone,
    IReadOnlyList<Permissions> MemberRoles,
    ChannelOverwrites? Channel = null);

/// <summary>
/// The one place effective permissions are computed, Discord's way: @everyone, then the member's roles,
/// then the channel's overwrites (@everyone, then roles together, then the member). The owner and
/// Administrator pass everything. Every endpoint and hub method goes through this.
/// </summary>
public static class PermissionResolver
{
    public static Permissions Resolve(PermissionInputs inputs)
    {
        if (inputs.IsOwner)
            return Permissions.All;

        var permissions = inputs.Everyone;
        foreach (var role in inputs.MemberRoles)
            permissions |= role;
        if (permissions.HasFlag(Permissions.Administrator))
            return Permissions.All;
        if (inputs.Channel is not { } channel)
            return permissions;

        if (channel.Everyone is { } everyone)
            permissions = (permissions & ~everyone.Deny) | everyone.Allow;

        // Role overwrites apply as one: any role's allow beats another role's deny.
        var allow = Permissions.None;
        var deny = Permissions.None;
        foreach (var role in channel.Roles)
        {
            allow |= role.Allow;
            deny |= role.Deny;
        }
        permissions = (permissions & ~deny) | allow;

        if (channel.Member is { } member)
            permissions = (permissions & ~member.Deny) | member.Allow;

        // Nothing in a channel is possible without seeing it.
        return permissions.HasFlag(Permissions.ViewChannel) ? permissions : Permissions.None;
    }
}
