using System.ComponentModel.DataAnnotations;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Users;

namespace KamaChat.Server.Features.Relationships;

/// <summary>
/// Another user as the caller relates to them. <see cref="Type"/> is <c>friend</c>, <c>incoming</c> (they asked you),
/// <c>outgoing</c> (you asked them) or <c>blocked</c> (you blocked them). <see cref="Status"/> is a friend's presence when
/// the list is read (online, idle, dnd, offline); null for the others and in events, which presence signals follow.
/// </summary>
public sealed record RelationshipResponse(Snowflake Id, string Type, UserSummary User, DateTimeOffset Since, string? Status);

/// <summary>Asks the user with this username to be friends (or accepts their request, if they asked first).</summary>
public sealed record FriendRequestRequest(
    [property: Required, StringLength(User.UserNameMaxLength, MinimumLength = 1)] string Username);

/// <summary><c>friend</c>: accept their request, or ask them; <c>blocked</c>: block them.</summary>
public sealed record SetRelationshipRequest([property: Required] string Type);

/// <summary>Who may reach you when you are not friends.</summary>
/// <param name="AllowDmsFromServerMembers">The default for DMs from people who are not your friends; <see cref="Servers"/> overrides it per server.</param>
/// <param name="FriendRequests">Who may ask you to be friends.</param>
/// <param name="Servers">Your per-server choices: whether that server's members may DM you.</param>
public sealed record PrivacySettingsResponse(bool AllowDmsFromServerMembers, FriendRequestPrivacy FriendRequests, IReadOnlyList<ServerPrivacyResponse> Servers);

/// <param name="Everyone">Anyone (turns the other two on).</param>
/// <param name="FriendsOfFriends">People who share a friend with you.</param>
/// <param name="ServerMembers">People who share a server with you.</param>
public sealed record FriendRequestPrivacy(bool Everyone, bool FriendsOfFriends, bool ServerMembers);

public sealed record ServerPrivacyResponse(Snowflake ServerId, bool AllowDms);

/// <summary>Fields left out stay as they are.</summary>
public sealed record UpdatePrivacySettingsRequest(bool? AllowDmsFromServerMembers, FriendRequestPrivacy? FriendRequests);

public sealed record ServerPrivacyRequest([property: Required] bool? AllowDms);

public static class RelationshipNames
{
    public static string Of(RelationshipType type) => type switch
    {
        RelationshipType.Friend => "friend",
        RelationshipType.Blocked => "blocked",
        RelationshipType.IncomingRequest => "incoming",
        _ => "outgoing",
    };
}
