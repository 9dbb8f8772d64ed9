using System.ComponentModel.DataAnnotations;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Messages;

namespace KamaChat.Server.Features.DirectMessages;

/// <summary>Opens the DM with one user (<see cref="RecipientId"/>) or starts a group DM (<see cref="RecipientIds"/>): one of the two.</summary>
public sealed record OpenDmRequest(
    Snowflake? RecipientId,
    [property: MaxLength(Channel.MaxGroupDmRecipients)] Snowflake[]? RecipientIds,
    [property: StringLength(Channel.NameMaxLength)] string? Name);

public sealed record CreateGroupDmRequest(
    [property: Required, MinLength(1), MaxLength(Channel.MaxGroupDmRecipients)] Snowflake[] RecipientIds,
    [property: StringLength(Channel.NameMaxLength)] string? Name);

/// <summary>A DM or group DM as its participants see it; <see cref="Recipients"/> lists every participant, the caller included.</summary>
public sealed record DmChannelResponse(
    Snowflake Id,
    string Type,
    string? Name,
    string? IconUrl,
    Snowflake? OwnerId,
    IReadOnlyList<UserSummary> Recipients,
    Snowflake? LastMessageId);

/// <summary>A group DM's name and icon: a field left out (or null) stays, "" clears it (a group without a name is called by its members' names).</summary>
public sealed record UpdateGroupDmRequest(
    [property: StringLength(Channel.NameMaxLength)] string? Name,
    [property: StringLength(Users.User.AvatarUrlMaxLength)] string? IconUrl);
