using System.ComponentModel.DataAnnotations;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.Users;

namespace KamaChat.Server.Features.Servers;

public sealed record ServerResponse(
    Snowflake Id,
    string Name,
    string? Description,
    string? IconUrl,
    Snowflake OwnerId,
    int MemberCount,
    DateTimeOffset CreatedAt,
    Snowflake? SystemChannelId = null,
    string? BannerUrl = null);

public sealed record CreateServerRequest(
    [property: Required, StringLength(ChatServer.NameMaxLength, MinimumLength = 1)] string Name,
    [property: StringLength(ChatServer.DescriptionMaxLength)] string? Description,
    [property: StringLength(User.AvatarUrlMaxLength)] string? IconUrl);

/// <summary>
/// A partial update: a field left out (or null) stays; an empty string clears description, icon or system channel
/// (the id of a text channel of this server, where join lines go).
/// </summary>
public sealed record UpdateServerRequest(
    [property: StringLength(ChatServer.NameMaxLength, MinimumLength = 1)] string? Name,
    [property: StringLength(ChatServer.DescriptionMaxLength)] string? Description,
    [property: StringLength(User.AvatarUrlMaxLength)] string? IconUrl,
    [property: StringLength(20)] string? SystemChannelId = null);

/// <summary>Deleting a server asks for its name, so a slip of the finger cannot do it.</summary>
public sealed record DeleteServerRequest(
    [property: Required, StringLength(ChatServer.NameMaxLength, MinimumLength = 1)] string ConfirmName);

public sealed record TransferServerRequest(
    Snowflake NewOwnerId,
    [property: StringLength(1024)] string? Password);

public sealed record MemberResponse(
    Snowflake ServerId,
    Snowflake UserId,
    string Username,
    string? DisplayName,
    string? AvatarUrl,
    string? Nickname,
    IReadOnlyList<Snowflake> Roles,
    DateTimeOffset JoinedAt,
    bool Temporary,
    DateTimeOffset? TimedOutUntil = null);

/// <summary>Null or "" clears the nickname.</summary>
public sealed record UpdateMemberRequest(
    [property: StringLength(Member.NicknameMaxLength)] string? Nickname);

/// <summary>
/// The reason may also come in the X-Audit-Log-Reason header (this field wins). DeleteMessageSeconds removes what the
/// user wrote in the server's channels in that many seconds before the ban (0 to 7 days; the client offers an hour, a day and 7 days).
/// </summary>
public sealed record BanRequest(
    [property: StringLength(Ban.ReasonMaxLength)] string? Reason,
    [property: Range(0, BanEndpoints.MaxDeleteMessageSeconds)] int DeleteMessageSeconds = 0);

/// <summary>Times a member out until then (at most <see cref="TimeoutEndpoints.MaxDuration"/> ahead); the reason travels in X-Audit-Log-Reason.</summary>
public sealed record TimeoutRequest([property: Required] DateTimeOffset? Until);

public sealed record BanResponse(Snowflake UserId, string Username, string? Reason, Snowflake BannedById, DateTimeOffset CreatedAt);

public sealed record CreateInviteRequest(
    [property: Range(0, 100)] int MaxUses,
    [property: Range(0, InviteEndpoints.MaxAgeSeconds)] int MaxAgeSeconds,
    bool Temporary);

public sealed record InviteResponse(
    string Code,
    Snowflake ServerId,
    Snowflake CreatorId,
    int MaxUses,
    int Uses,
    DateTimeOffset? ExpiresAt,
    bool Temporary,
    DateTimeOffset CreatedAt);

/// <summary>What anyone holding a code may see before joining.</summary>
public sealed record InvitePreviewResponse(
    string Code,
    Snowflake ServerId,
    string ServerName,
    string? ServerIconUrl,
    int MemberCount,
    DateTimeOffset? ExpiresAt);

public sealed record RoleResponse(
    Snowflake Id,
    Snowflake ServerId,
    string Name,
    string Permissions,
    int Color,
    int Position,
    bool Mentionable,
    bool Hoist);

public sealed record CreateRoleRequest(
    [property: Required, StringLength(Role.NameMaxLength, MinimumLength = 1)] string Name,
    [property: RegularExpression(PermissionBits.Pattern, ErrorMessage = "Permissions are a decimal number in a string.")] string? Permissions,
    [property: Range(0, 0xFFFFFF)] int Color,
    bool Mentionable,
    bool Hoist = false);

/// <summary>A partial update: a field left out (or null) stays as it is.</summary>
public sealed record UpdateRoleRequest(
    [property: StringLength(Role.NameMaxLength, MinimumLength = 1)] string? Name,
    [property: RegularExpression(PermissionBits.Pattern, ErrorMessage = "Permissions are a decimal number in a string.")] string? Permissions,
    [property: Range(0, 0xFFFFFF)] int? Color,
    bool? Mentionable,
    bool? Hoist = null);

/// <summary>One item of a reorder; for channels, parentId "0" takes the channel out of its category.</summary>
public sealed record PositionRequest(
    Snowflake Id,
    [property: Range(0, 10_000)] int Position,
    Snowflake? ParentId = null);
