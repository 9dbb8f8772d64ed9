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
    Snowflake? OwnerId,
    IReadOnlyList<UserSummary> Recipients,
    Snowflake? LastMessageId);
