using System.ComponentModel.DataAnnotations;
using KamaChat.Server.Features.Users;
using KamaChat.Server.Infrastructure.Email;

namespace KamaChat.Server.Features.Auth;

public sealed record RegisterRequest(
    [property: Required, StringLength(DeliverableEmailAttribute.MaxLength), DeliverableEmail]
    string Email,
    [property: Required, StringLength(User.UserNameMaxLength, MinimumLength = User.UserNameMinLength, ErrorMessage = AuthRules.LengthMessage),
        RegularExpression(AuthRules.UserNamePattern, ErrorMessage = "Use letters, digits, '_' and '.' only.")]
    string Username,
    [property: Required, StringLength(AuthRules.PasswordMaxLength, MinimumLength = AuthRules.PasswordMinLength, ErrorMessage = AuthRules.LengthMessage)]
    string Password);

public sealed record LoginRequest(
    [property: Required, StringLength(254, MinimumLength = 1)] string Login,
    [property: Required, StringLength(AuthRules.PasswordMaxLength, MinimumLength = 1)] string Password);

public sealed record RefreshRequest(
    [property: Required, StringLength(128, MinimumLength = 16)] string RefreshToken);

/// <summary>What login, registration and refresh return.</summary>
public sealed record AuthTokens(
    string AccessToken,
    string RefreshToken,
    string TokenType,
    int ExpiresIn,
    Snowflake SessionId,
    MeResponse User);

public sealed record SessionResponse(
    Snowflake Id,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUsedAt,
    DateTimeOffset ExpiresAt,
    string? UserAgent,
    string? IpAddress,
    bool Current);

internal static class AuthRules
{
    public const int PasswordMinLength = 8;
    public const int PasswordMaxLength = 128;
    public const string UserNamePattern = @"^[A-Za-z0-9_.]+$";

    /// <summary>
    /// A username's or new password's length error as a person reads it on the form ({2} the least, {1} the most),
    /// not the framework's "The field Password must be a string with a minimum length of 8 and a maximum length of 128."
    /// </summary>
    public const string LengthMessage = "Use {2} to {1} characters.";
    public const string UserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.";
}
