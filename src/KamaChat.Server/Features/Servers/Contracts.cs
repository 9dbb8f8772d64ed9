using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using KamaChat.Server.Features.Users;

namespace KamaChat.Server.Features.Servers;

public sealed record ServerResponse(
    string Id,
    string Name,
    string? Description,
    string? IconUrl,
    string OwnerId,
    int MemberCount,
    DateTimeOffset CreatedAt);

public sealed record CreateServerRequest(
    [property: Required, StringLength(ChatServer.NameMaxLength, MinimumLength = 1)] string Name,
    [property: StringLength(ChatServer.DescriptionMaxLength)] string? Description,
    [property: StringLength(User.AvatarUrlMaxLength)] string? IconUrl);

/// <summary>A partial update: a field left out (or null) stays; an empty string clears description or icon.</summary>
public sealed record UpdateServerRequest(
    [property: StringLength(ChatServer.NameMaxLength, MinimumLength = 1)] string? Name,
    [property: StringLength(ChatServer.DescriptionMaxLength)] string? Description,
    [property: StringLength(User.AvatarUrlMaxLength)] string? IconUrl);

/// <summary>Deleting a server asks for its name, so a slip of the finger cannot do it.</summary>
public sealed record DeleteServerRequest(
    [property: Required, StringLength(ChatServer.NameMaxLength, MinimumLength = 1)] string ConfirmName);

public sealed record TransferServerRequest(
    [property: JsonNumberHandling(JsonNumberHandling.AllowReadingFromString), Range(1, long.MaxValue)] long NewOwnerId,
    [property: StringLength(1024)] string? Password);

public sealed record MemberResponse(
    string ServerId,
    string UserId,
    string Username,
    string? DisplayName,
    string? AvatarUrl,
    string? Nickname,
    IReadOnlyList<string> Roles,
    DateTimeOffset JoinedAt,
    bool Temporary);

/// <summary>Null or "" clears the nickname.</summary>
public sealed record UpdateMemberRequest(
    [property: StringLength(Member.NicknameMaxLength)] string? Nickname);

public sealed record BanRequest(
    [property: StringLength(Ban.ReasonMaxLength)] string? Reason);

public sealed record BanResponse(string UserId, string Username, string? Reason, string BannedById, DateTimeOffset CreatedAt);

public sealed record CreateInviteRequest(
    [property: Range(0, 100)] int MaxUses,
    [property: Range(0, InviteEndpoints.MaxAgeSeconds)] int MaxAgeSeconds,
    bool Temporary);

public sealed record InviteResponse(
    string Code,
    string ServerId,
    string CreatorId,
    int MaxUses,
    int Uses,
    DateTimeOffset? ExpiresAt,
    bool Temporary,
    DateTimeOffset CreatedAt);

/// <summary>What anyone holding a code may see before joining.</summary>
public sealed record InvitePreviewResponse(
    string Code,
    string ServerId,
    string ServerName,
    string? ServerIconUrl,
    int MemberCount,
    DateTimeOffset? ExpiresAt);

public sealed record RoleResponse(
    string Id,
    string ServerId,
    string Name,
    string Permissions,
    int Color,
    int Position,
    bool Mentionable);

public sealed record CreateRoleRequest(
    [property: Required, StringLength(Role.NameMaxLength, MinimumLength = 1)] string Name,
    [property: RegularExpression(ApiText.PermissionsPattern, ErrorMessage = "Permissions are a decimal number in a string.")] string? Permissions,
    [property: Range(0, 0xFFFFFF)] int Color,
    bool Mentionable);

/// <summary>A partial update: a field left out (or null) stays as it is.</summary>
public sealed record UpdateRoleRequest(
    [property: StringLength(Role.NameMaxLength, MinimumLength = 1)] string? Name,
    [property: RegularExpression(ApiText.PermissionsPattern, ErrorMessage = "Permissions are a decimal number in a string.")] string? Permissions,
    [property: Range(0, 0xFFFFFF)] int? Color,
    bool? Mentionable);

public sealed record PositionRequest(
    [property: JsonNumberHandling(JsonNumberHandling.AllowReadingFromString), Range(1, long.MaxValue)] long Id,
    [property: Range(0, 10_000)] int Position,
    [property: JsonNumberHandling(JsonNumberHandling.AllowReadingFromString), Range(0, long.MaxValue)] long? ParentId = null);
