using System.ComponentModel.DataAnnotations;
using KamaChat.Server.Features.Permissions;

namespace KamaChat.Server.Features.Channels;

/// <summary>A channel as clients see it: type as snake_case (text, voice, category, dm, group_dm).</summary>
public sealed record ChannelResponse(
    Snowflake Id,
    Snowflake? ServerId,
    string Type,
    string? Name,
    string? Topic,
    Snowflake? ParentId,
    int Position,
    int SlowModeSeconds,
    Snowflake? LastMessageId,
    int UserLimit = 0)
{
    public static ChannelResponse From(Channel c) =>
        new(c.Id, c.ServerId, TypeName(c.Type), c.Name, c.Topic, c.ParentId, c.Position, c.SlowModeSeconds, c.LastMessageId, c.UserLimit);

    public static string TypeName(ChannelType type) => type switch
    {
        ChannelType.Text => "text",
        ChannelType.Voice => "voice",
        ChannelType.Category => "category",
        ChannelType.Dm => "dm",
        ChannelType.GroupDm => "group_dm",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}

/// <summary>
/// PermissionOverwrites (needs Manage Roles) are set in the same change as the channel, so a private channel is never
/// visible to those it is closed to, not even for a moment.
/// </summary>
public sealed record CreateChannelRequest(
    [property: Required, StringLength(Channel.NameMaxLength, MinimumLength = 1)] string Name,
    [property: Required, AllowedValues("text", "voice", "category", ErrorMessage = "The type is text, voice or category.")] string Type,
    [property: StringLength(Channel.TopicMaxLength)] string? Topic,
    Snowflake? ParentId,
    [property: Range(0, Channel.MaxSlowModeSeconds)] int SlowModeSeconds,
    [property: MaxLength(ChannelEndpoints.MaxOverwritesAtCreation)] IReadOnlyList<NewOverwrite>? PermissionOverwrites = null,
    [property: Range(0, Channel.MaxUserLimit)] int UserLimit = 0);

/// <summary>An overwrite given with a new channel: targetType role or member.</summary>
public sealed record NewOverwrite(
    [property: Required] string TargetType,
    Snowflake TargetId,
    [property: Required, RegularExpression(PermissionBits.Pattern, ErrorMessage = "Permissions are a decimal number in a string.")] string Allow,
    [property: Required, RegularExpression(PermissionBits.Pattern, ErrorMessage = "Permissions are a decimal number in a string.")] string Deny);

/// <summary>A partial update: a field left out (or null) stays; topic "" clears it; parentId "0" takes the channel out of its category.</summary>
public sealed record UpdateChannelRequest(
    [property: StringLength(Channel.NameMaxLength, MinimumLength = 1)] string? Name,
    [property: StringLength(Channel.TopicMaxLength)] string? Topic,
    [property: Range(0, Channel.MaxSlowModeSeconds)] int? SlowModeSeconds,
    Snowflake? ParentId,
    [property: Range(0, Channel.MaxUserLimit)] int? UserLimit = null);

public sealed record OverwriteRequest(
    [property: Required, RegularExpression(PermissionBits.Pattern, ErrorMessage = "Permissions are a decimal number in a string.")] string Allow,
    [property: Required, RegularExpression(PermissionBits.Pattern, ErrorMessage = "Permissions are a decimal number in a string.")] string Deny);

public sealed record OverwriteResponse(Snowflake ChannelId, string TargetType, Snowflake TargetId, string Allow, string Deny);

