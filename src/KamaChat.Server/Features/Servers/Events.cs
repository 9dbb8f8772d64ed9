using System.Text.Json.Serialization;
using KamaChat.Server.Features.Events;

namespace KamaChat.Server.Features.Servers;

// Server events go to every member; ServerJoined, ServerRemoved and InviteCreated go to one user.

public sealed record ServerUpdated(Snowflake ServerId, ServerResponse Data) : IServerEvent<ServerResponse>
{
    public static string Type => "ServerUpdated";
}

public sealed record ServerDeleted(Snowflake ServerId) : IServerEvent<ServerDeletedData>, IChangesServerVisibility
{
    public static string Type => "ServerDeleted";

    public ServerDeletedData Data => new(ServerId);
}

public sealed record ServerDeletedData(Snowflake ServerId);

/// <summary>You are now a member of the server (you created it or joined it).</summary>
public sealed record ServerJoined(Snowflake UserId, ServerResponse Data) : IUserEvent<ServerResponse>, IChangesMemberships
{
    public static string Type => "ServerJoined";
}

/// <summary>
/// Your membership ended; the reason is left, kicked, banned, temporary or deleted (the server was). It names the server
/// (you can no longer load it) and, for a kick or ban, the moderator's reason if they gave one, so the client can say
/// "You were removed from …" rather than "not found".
/// </summary>
public sealed record ServerRemoved(Snowflake UserId, Snowflake ServerId, string Reason, string? ServerName = null, string? ModeratorReason = null)
    : IUserEvent<ServerRemovedData>, IChangesMemberships
{
    public static string Type => "ServerRemoved";

    public ServerRemovedData Data => new(ServerId, Reason, ServerName, ModeratorReason);
}

public sealed record ServerRemovedData(
    Snowflake ServerId,
    string Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ServerName,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ModeratorReason);

public sealed record MemberJoined(Snowflake ServerId, MemberResponse Data) : IServerEvent<MemberResponse>
{
    public static string Type => "MemberJoined";
}

/// <summary>A member's nickname or roles changed; roles change what they may see.</summary>
public sealed record MemberUpdated(Snowflake ServerId, MemberResponse Data) : IServerEvent<MemberResponse>, IChangesServerVisibility, IAffectsUser<MemberResponse>
{
    public static string Type => "MemberUpdated";

    public static Snowflake AffectedUserId(MemberResponse member) => member.UserId;
}

/// <summary>The reason is left, kicked or banned; a deleted account's memberships end without one.</summary>
public sealed record MemberLeft(Snowflake ServerId, Snowflake UserId, string? Reason) : IServerEvent<MemberLeftData>
{
    public static string Type => "MemberLeft";

    public MemberLeftData Data => new(ServerId, UserId, Reason);
}

public sealed record MemberLeftData(
    Snowflake ServerId,
    Snowflake UserId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason);

public sealed record BanAdded(Snowflake ServerId, Snowflake UserId) : IServerEvent<BanData>
{
    public static string Type => "BanAdded";

    public BanData Data => new(ServerId, UserId);
}

public sealed record BanRemoved(Snowflake ServerId, Snowflake UserId) : IServerEvent<BanData>
{
    public static string Type => "BanRemoved";

    public BanData Data => new(ServerId, UserId);
}

public sealed record BanData(Snowflake ServerId, Snowflake UserId);

public sealed record RoleCreated(Snowflake ServerId, RoleResponse Data) : IServerEvent<RoleResponse>, IChangesServerVisibility
{
    public static string Type => "RoleCreated";
}

/// <summary>Also sent for every role whose position moved.</summary>
public sealed record RoleUpdated(Snowflake ServerId, RoleResponse Data) : IServerEvent<RoleResponse>, IChangesServerVisibility
{
    public static string Type => "RoleUpdated";
}

public sealed record RoleDeleted(Snowflake ServerId, Snowflake RoleId) : IServerEvent<RoleDeletedData>, IChangesServerVisibility
{
    public static string Type => "RoleDeleted";

    public RoleDeletedData Data => new(ServerId, RoleId);
}

public sealed record RoleDeletedData(Snowflake ServerId, Snowflake RoleId);

/// <summary>Only the invite's creator hears of a new code: other members may not be allowed to hand out invites.</summary>
public sealed record InviteCreated(Snowflake UserId, InviteResponse Data) : IUserEvent<InviteResponse>
{
    public static string Type => "InviteCreated";
}

public sealed record InviteDeleted(Snowflake ServerId, string Code) : IServerEvent<InviteDeletedData>
{
    public static string Type => "InviteDeleted";

    public InviteDeletedData Data => new(ServerId, Code);
}

public sealed record InviteDeletedData(Snowflake ServerId, string Code);
