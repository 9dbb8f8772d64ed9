using System.ComponentModel.DataAnnotations;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Infrastructure.Email;

namespace KamaChat.Server.Features.Account;

public sealed record VerifyEmailRequest(
    [property: Required, StringLength(20, MinimumLength = 1)] string UserId,
    [property: Required, StringLength(AccountRules.TokenMaxLength, MinimumLength = 1)] string Token);

public sealed record ChangeEmailRequest(
    [property: Required, StringLength(DeliverableEmailAttribute.MaxLength), DeliverableEmail]
    string NewEmail,
    [property: Required, StringLength(AuthRules.PasswordMaxLength, MinimumLength = 1)] string Password);

public sealed record ConfirmEmailChangeRequest(
    [property: Required, StringLength(20, MinimumLength = 1)] string UserId,
    [property: Required, StringLength(DeliverableEmailAttribute.MaxLength), DeliverableEmail]
    string NewEmail,
    [property: Required, StringLength(AccountRules.TokenMaxLength, MinimumLength = 1)] string Token);

public sealed record ChangePasswordRequest(
    [property: Required, StringLength(AuthRules.PasswordMaxLength, MinimumLength = 1)] string CurrentPassword,
    [property: Required, StringLength(AuthRules.PasswordMaxLength, MinimumLength = AuthRules.PasswordMinLength, ErrorMessage = AuthRules.LengthMessage)]
    string NewPassword);

public sealed record PasswordResetRequest(
    [property: Required, StringLength(DeliverableEmailAttribute.MaxLength), DeliverableEmail]
    string Email);

public sealed record ConfirmPasswordResetRequest(
    [property: Required, StringLength(20, MinimumLength = 1)] string UserId,
    [property: Required, StringLength(AccountRules.TokenMaxLength, MinimumLength = 1)] string Token,
    [property: Required, StringLength(AuthRules.PasswordMaxLength, MinimumLength = AuthRules.PasswordMinLength, ErrorMessage = AuthRules.LengthMessage)]
    string NewPassword);

/// <summary>What enrolling in 2FA returns: the secret three ways (text, URI, QR code to scan).</summary>
public sealed record TwoFactorEnrollment(string Secret, string OtpauthUri, string QrCodeSvg);

public sealed record TwoFactorStatus(bool Enabled, int RecoveryCodesLeft);

public sealed record TwoFactorCodeRequest(
    [property: Required, StringLength(AccountRules.CodeMaxLength, MinimumLength = 6)] string Code);

/// <summary>Turning 2FA off needs the password and a current code (or a recovery code when the device is lost).</summary>
public sealed record DisableTwoFactorRequest(
    [property: Required, StringLength(AuthRules.PasswordMaxLength, MinimumLength = 1)] string Password,
    [property: StringLength(AccountRules.CodeMaxLength, MinimumLength = 6)] string? Code,
    [property: StringLength(AccountRules.CodeMaxLength, MinimumLength = 6)] string? RecoveryCode);

public sealed record RecoveryCodesResponse(IReadOnlyList<string> RecoveryCodes);

/// <summary>The second step of a login with 2FA: the ticket from the first step and a code or a recovery code.</summary>
public sealed record MfaLoginRequest(
    [property: Required, StringLength(1024, MinimumLength = 16)] string MfaTicket,
    [property: StringLength(AccountRules.CodeMaxLength, MinimumLength = 6)] string? Code,
    [property: StringLength(AccountRules.CodeMaxLength, MinimumLength = 6)] string? RecoveryCode);

/// <summary>What login returns instead of tokens when the account has 2FA on.</summary>
public sealed record MfaChallenge(bool MfaRequired, string MfaTicket, int ExpiresIn);

internal static class AccountRules
{
    public const int TokenMaxLength = 2048;
    public const int CodeMaxLength = 32;
}
