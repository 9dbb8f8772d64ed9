using System.Globalization;
using System.Text.Json.Serialization;
using KamaChat.Server.Features.Events;

namespace KamaChat.Server.Features.Servers;

// Server events go to every member; ServerJoined, ServerRemoved and InviteCreated go to one user.

public sealed record ServerUpdated(long ServerId, ServerResponse Data) : IServerEvent<ServerResponse>
{
    public static string Type => "ServerUpdated";
}

public sealed record ServerDeleted(long ServerId) : IServerEvent<ServerDeletedData>, IChangesServerVisibility
{
    public static string Type => "ServerDeleted";

    public ServerDeletedData Data => new(ServerId.Text());
}

public sealed record ServerDeletedData(string ServerId);

/// <summary>You are now a member of the server (you created it or joined it).</summary>
public sealed record ServerJoined(long UserId, ServerResponse Data) : IUserEvent<ServerResponse>, IChangesMemberships
{
    public static string Type => "ServerJoined";
}

/// <summary>Your membership ended; the reason is left, kicked, banned or deleted (the server was).</summary>
public sealed record ServerRemoved(long UserId, long ServerId, string Reason) : IUserEvent<ServerRemovedData>, IChangesMemberships
{
    public static string Type => "ServerRemoved";

    public ServerRemovedData Data => new(ServerId.Text(), Reason);
}

public sealed record ServerRemovedData(string ServerId, string Reason);

public sealed record MemberJoined(long ServerId, MemberResponse Data) : IServerEvent<MemberResponse>
{
    public static string Type => "MemberJoined";
}

/// <summary>A member's nickname or roles changed; roles change what they may see.</summary>
public sealed record MemberUpdated(long ServerId, MemberResponse Data) : IServerEvent<MemberResponse>, IChangesServerVisibility, IAffectsUser<MemberResponse>
{
    public static string Type => "MemberUpdated";

    public static long AffectedUserId(MemberResponse member) => long.Parse(member.UserId, CultureInfo.InvariantCulture);
}

/// <summary>The reason is left, kicked or banned; a deleted account's memberships end without one.</summary>
public sealed record MemberLeft(long ServerId, long UserId, string? Reason) : IServerEvent<MemberLeftData>
{
    public static string Type => "MemberLeft";

    public MemberLeftData Data => new(ServerId.Text(), UserId.Text(), Reason);
}

public sealed record MemberLeftData(
    string ServerId,
    string UserId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason);

public sealed record BanAdded(long ServerId, long UserId) : IServerEvent<BanData>
{
    public static string Type => "BanAdded";

    public BanData Data => new(ServerId.Text(), UserId.Text());
}

public sealed record BanRemoved(long ServerId, long UserId) : IServerEvent<BanData>
{
    public static string Type => "BanRemoved";

    public BanData Data => new(ServerId.Text(), UserId.Text());
}

public sealed record BanData(string ServerId, string UserId);

public sealed record RoleCreated(long ServerId, RoleResponse Data) : IServerEvent<RoleResponse>, IChangesServerVisibility
{
    public static string Type => "RoleCreated";
}

/// <summary>Also sent for every role whose position moved.</summary>
public sealed record RoleUpdated(long ServerId, RoleResponse Data) : IServerEvent<RoleResponse>, IChangesServerVisibility
{
    public static string Type => "RoleUpdated";
}

public sealed record RoleDeleted(long ServerId, long RoleId) : IServerEvent<RoleDeletedData>, IChangesServerVisibility
{
    public static string Type => "RoleDeleted";

    public RoleDeletedData Data => new(ServerId.Text(), RoleId.Text());
}

public sealed record RoleDeletedData(string ServerId, string RoleId);

/// <summary>Only the invite's creator hears of a new code: other members may not be allowed to hand out invites.</summary>
public sealed record InviteCreated(long UserId, InviteResponse Data) : IUserEvent<InviteResponse>
{
    public static string Type => "InviteCreated";
}

public sealed record InviteDeleted(long ServerId, string Code) : IServerEvent<InviteDeletedData>
{
    public static string Type => "InviteDeleted";

    public InviteDeletedData Data => new(ServerId.Text(), Code);
}

public sealed record InviteDeletedData(string ServerId, string Code);
