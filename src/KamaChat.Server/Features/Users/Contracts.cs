using System.ComponentModel.DataAnnotations;

namespace KamaChat.Server.Features.Users;

/// <summary>The signed-in user's own view of their account.</summary>
public sealed record MeResponse(
    Snowflake Id,
    string Username,
    string Email,
    bool EmailVerified,
    string? DisplayName,
    string? AvatarUrl,
    string? Bio,
    string? StatusText,
    DateTimeOffset CreatedAt,
    string? BannerUrl = null)
{
    public static MeResponse From(User user) => new(
        user.Id, user.UserName!, user.Email!, user.EmailConfirmed,
        user.DisplayName, user.AvatarUrl, user.Bio, user.StatusText, user.CreatedAt, user.BannerUrl);
}

/// <summary>What anyone signed in may see of another user.</summary>
public sealed record UserProfileResponse(
    Snowflake Id,
    string Username,
    string? DisplayName,
    string? AvatarUrl,
    string? Bio,
    string? StatusText,
    DateTimeOffset CreatedAt,
    string? BannerUrl = null);

/// <summary>
/// A partial update: a field left out (or null) stays as it is; an empty string clears an optional field.
/// </summary>
public sealed record UpdateProfileRequest(
    [property: StringLength(User.DisplayNameMaxLength)] string? DisplayName,
    [property: StringLength(User.BioMaxLength)] string? Bio,
    [property: StringLength(User.AvatarUrlMaxLength)] string? AvatarUrl,
    [property: StringLength(User.StatusTextMaxLength)] string? StatusText);

/// <summary>Deleting the account asks for the password again: a stolen access token alone must not be enough.</summary>
public sealed record DeleteAccountRequest(
    [property: Required, StringLength(Auth.AuthRules.PasswordMaxLength, MinimumLength = 1)] string Password);
