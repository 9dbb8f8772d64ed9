using KamaChat.Server.Features.Events;

namespace KamaChat.Server.Features.Relationships;

// Relationship changes go to the user they are about, on all their devices. A blocked user is not told of the block:
// they see only what they lose (a friendship or request removed), the same as when someone unfriends or declines them.
// Both change who the user receives presence from (friends), so their groups are re-synced first.

/// <summary>Someone became your friend, asked you, was asked by you, or was blocked by you.</summary>
public sealed record RelationshipUpdated(Snowflake UserId, RelationshipResponse Data) : IUserEvent<RelationshipResponse>, IChangesMemberships
{
    public static string Type => "RelationshipUpdated";
}

/// <summary>A friendship, request or block with that user ended.</summary>
public sealed record RelationshipRemoved(Snowflake UserId, Snowflake OtherUserId) : IUserEvent<RelationshipRemovedData>, IChangesMemberships
{
    public static string Type => "RelationshipRemoved";

    public RelationshipRemovedData Data => new(OtherUserId);
}

/// <param name="Id">The other user's id.</param>
public sealed record RelationshipRemovedData(Snowflake Id);
