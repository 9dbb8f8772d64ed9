using System.Globalization;
using System.Security.Cryptography;
using KamaChat.Server.Features.Users;
using Microsoft.AspNetCore.DataProtection;
using KamaChat.Server.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
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
/// for a few minutes, once. Signed and encrypted with Data Protection under its own purpose, so no other token
/// passes for it; it carries the security stamp, so a password reset in between voids it; and its id is spent by the
/// sign-in it completes, so a copy of it is worthless afterwards.
/// </summary>
public sealed class MfaTickets(IDataProtectionProvider protection, IOptions<AccountOptions> options, TimeProvider time)
{
    /// <summary>Spent ticket ids are kept as Identity user tokens under this provider name, until the ticket would have expired.</summary>
    internal const string SpentProvider = "[KamaChat:SpentMfaTicket]";

    private readonly ITimeLimitedDataProtector _protector =
        protection.CreateProtector("KamaChat.Auth.MfaTicket.v2").ToTimeLimitedDataProtector();

    public TimeSpan Lifetime => options.Value.MfaTicketLifetime;

    public string Issue(User user)
    {
        var expires = time.GetUtcNow() + Lifetime;
        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        return _protector.Protect(
            $"{user.Id}|{user.SecurityStamp}|{id}|{expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}",
            expires);
    }

    /// <summary>A ticket that checked out: whose it is, and what identifies it when it is spent.</summary>
    public sealed record Ticket(User User, string Id, DateTimeOffset ExpiresAt);

    /// <summary>The ticket, or null when it is forged, expired or voided (a spent one is refused by <see cref="SpendAsync"/>).</summary>
    public async Task<Ticket?> ReadAsync(string ticket, UserManager<User> users)
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
        if (parts.Length != 4 || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var expires) ||
            await users.FindByIdAsync(parts[0]) is not { } user)
            return null;
        return user.SecurityStamp == parts[1] && user.TwoFactorEnabled
            ? new Ticket(user, parts[2], DateTimeOffset.FromUnixTimeSeconds(expires))
            : null;
    }

    /// <summary>Whether a sign-in already spent the ticket: checked before the second factor, so a spent ticket consumes no code.</summary>
    public Task<bool> IsSpentAsync(KamaDbContext db, Ticket ticket, CancellationToken cancellationToken) =>
        db.UserTokens.AnyAsync(t => t.UserId == ticket.User.Id && t.LoginProvider == SpentProvider && t.Name == ticket.Id, cancellationToken);

    /// <summary>
    /// Marks the ticket used; false when it already was. The row's key (user, provider, id) makes this atomic: of two
    /// requests spending one ticket at once, one insert fails.
    /// </summary>
    public async Task<bool> SpendAsync(KamaDbContext db, Ticket ticket, CancellationToken cancellationToken)
    {
        var userId = ticket.User.Id;
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var spent = new IdentityUserToken<Snowflake>
        {
            UserId = userId, LoginProvider = SpentProvider, Name = ticket.Id,
            Value = ticket.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        };
        db.UserTokens.Add(spent);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            db.Entry(spent).State = EntityState.Detached;
            return false;
        }
        // Forget the ones that could not be used any more anyway.
        var old = (await db.UserTokens.Where(t => t.UserId == userId && t.LoginProvider == SpentProvider).ToListAsync(cancellationToken))
            .Where(t => !long.TryParse(t.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var expiry) || expiry < now)
            .ToList();
        if (old.Count > 0)
        {
            db.UserTokens.RemoveRange(old);
            await db.SaveChangesAsync(cancellationToken);
        }
        return true;
    }
}
