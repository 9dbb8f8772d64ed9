using System.Globalization;
using System.Security.Cryptography;
using KamaChat.Server.Features.Users;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Account;

/// <summary>Email confirmation and email-change tokens: 24 hours (each is spent by the stamp change that follows its use).</summary>
public sealed class EmailConfirmationTokenProvider(
    IDataProtectionProvider protection, IOptions<EmailConfirmationTokenProviderOptions> options, ILogger<DataProtectorTokenProvider<User>> logger)
    : DataProtectorTokenProvider<User>(protection, options, logger)
{
    public const string ProviderName = "KamaChatEmail";
}

public sealed class EmailConfirmationTokenProviderOptions : DataProtectionTokenProviderOptions;

/// <summary>Password reset tokens: 1 hour; a reset changes the security stamp, which spends the token.</summary>
public sealed class PasswordResetTokenProvider(
    IDataProtectionProvider protection, IOptions<PasswordResetTokenProviderOptions> options, ILogger<DataProtectorTokenProvider<User>> logger)
    : DataProtectorTokenProvider<User>(protection, options, logger)
{
    public const string ProviderName = "KamaChatPasswordReset";
}

public sealed class PasswordResetTokenProviderOptions : DataProtectionTokenProviderOptions;

/// <summary>
/// The ticket between the two steps of a login with 2FA: proves the password was right, for this user,
/// for a few minutes. Signed and encrypted with Data Protection under its own purpose, so no other token
/// passes for it; it carries the security stamp, so a password reset in between voids it.
/// </summary>
public sealed class MfaTickets(IDataProtectionProvider protection, IOptions<AccountOptions> options, TimeProvider time)
{
    private readonly ITimeLimitedDataProtector _protector =
        protection.CreateProtector("KamaChat.Auth.MfaTicket.v1").ToTimeLimitedDataProtector();

    public TimeSpan Lifetime => options.Value.MfaTicketLifetime;

    public string Issue(User user) =>
        _protector.Protect($"{user.Id}|{user.SecurityStamp}", time.GetUtcNow() + Lifetime);

    /// <summary>The user the ticket was issued to, or null when it is forged, expired or voided.</summary>
    public async Task<User?> RedeemAsync(string ticket, UserManager<User> users)
    {
        string payload;
        try
        {
            payload = _protector.Unprotect(ticket, out _);
        }
        catch (CryptographicException)
        {
            return null;
        }
        var parts = payload.Split('|');
        if (parts.Length != 2 || await users.FindByIdAsync(parts[0]) is not { } user)
            return null;
        return user.SecurityStamp == parts[1] && user.TwoFactorEnabled ? user : null;
    }
}
