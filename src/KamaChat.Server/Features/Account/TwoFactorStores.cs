using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Account;

/// <summary>
/// Identity's authenticator check with two changes that its own lacks: only the current step ±1 counts
/// (Identity allows ±2), and a code is accepted once: the last accepted step is kept per user, and
/// only a later step passes. Kept as an Identity user token, so no schema change.
/// </summary>
public sealed class ReplayProtectedAuthenticatorTokenProvider(TimeProvider time) : IUserTwoFactorTokenProvider<User>
{
    public const string ProviderName = "KamaChatAuthenticator";
    internal const string LoginProvider = "[KamaChat]";
    internal const string LastStepToken = "TotpLastAcceptedStep";

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<User> manager, User user) =>
        !string.IsNullOrWhiteSpace(await manager.GetAuthenticatorKeyAsync(user));

    /// <summary>The code comes from the user's authenticator app; the server never makes one.</summary>
    public Task<string> GenerateAsync(string purpose, UserManager<User> manager, User user) => Task.FromResult(string.Empty);

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<User> manager, User user)
    {
        var code = token.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (code.Length != Totp.Digits || !code.All(char.IsAsciiDigit))
            return false;
        var key = await manager.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrWhiteSpace(key))
            return false;

        var secret = Totp.DecodeBase32(key);
        var now = Totp.StepAt(time.GetUtcNow());
        long? matched = null;
        for (var step = now - 1; step <= now + 1; step++)
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Totp.Compute(secret, step)), Encoding.ASCII.GetBytes(code)))
                matched = step;
        if (matched is not { } accepted)
            return false;

        var last = long.TryParse(await manager.GetAuthenticationTokenAsync(user, LoginProvider, LastStepToken),
            NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : long.MinValue;
        if (accepted <= last)
            return false;
        // Saved with the user's concurrency stamp: of two requests racing with one code, only one gets here successfully.
        var saved = await manager.SetAuthenticationTokenAsync(user, LoginProvider, LastStepToken, accepted.ToString(CultureInfo.InvariantCulture));
        return saved.Succeeded;
    }
}

/// <summary>Identity's user store, except that recovery codes are kept as SHA-256 hashes instead of plain text.</summary>
public sealed class HashedRecoveryCodeUserStore(KamaDbContext context, IdentityErrorDescriber? describer = null)
    : UserOnlyStore<User, KamaDbContext, Snowflake>(context, describer)
{
    private const string CodesToken = "RecoveryCodeHashes";

    public override Task ReplaceCodesAsync(User user, IEnumerable<string> recoveryCodes, CancellationToken cancellationToken) =>
        SetTokenAsync(user, ReplayProtectedAuthenticatorTokenProvider.LoginProvider, CodesToken,
            string.Join(';', recoveryCodes.Select(Hash)), cancellationToken);

    public override async Task<bool> RedeemCodeAsync(User user, string code, CancellationToken cancellationToken)
    {
        var hashes = await StoredHashesAsync(user, cancellationToken);
        var presented = Hash(code);
        var index = hashes.FindIndex(h => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(h), Encoding.ASCII.GetBytes(presented)));
        if (index < 0)
            return false;
        hashes.RemoveAt(index);
        await SetTokenAsync(user, ReplayProtectedAuthenticatorTokenProvider.LoginProvider, CodesToken, string.Join(';', hashes), cancellationToken);
        return true;
    }

    public override async Task<int> CountCodesAsync(User user, CancellationToken cancellationToken) =>
        (await StoredHashesAsync(user, cancellationToken)).Count;

    private async Task<List<string>> StoredHashesAsync(User user, CancellationToken cancellationToken) =>
        (await GetTokenAsync(user, ReplayProtectedAuthenticatorTokenProvider.LoginProvider, CodesToken, cancellationToken) ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries).ToList();

    // Codes carry 80 random bits, so an unsalted fast hash leaves nothing to brute-force.
    private static string Hash(string code) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(RecoveryCodes.Normalize(code))));
}

/// <summary>Identity's user manager with stronger recovery codes (80 bits instead of 50).</summary>
public sealed class KamaUserManager(
    IUserStore<User> store,
    IOptions<IdentityOptions> optionsAccessor,
    IPasswordHasher<User> passwordHasher,
    IEnumerable<IUserValidator<User>> userValidators,
    IEnumerable<IPasswordValidator<User>> passwordValidators,
    ILookupNormalizer keyNormalizer,
    IdentityErrorDescriber errors,
    IServiceProvider services,
    ILogger<UserManager<User>> logger)
    : UserManager<User>(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
{
    protected override string CreateTwoFactorRecoveryCode() => RecoveryCodes.Create();
}

public static class RecoveryCodes
{
    public const int Count = 10;
    private const string Alphabet = "abcdefghjkmnpqrstuvwxyz23456789";

    /// <summary>Four groups of four, e.g. <c>k7qp-2mzx-…</c>: 16 characters from a 31-letter alphabet without look-alikes (~79 bits).</summary>
    public static string Create()
    {
        var chars = RandomNumberGenerator.GetItems<char>(Alphabet, 16);
        return $"{new string(chars, 0, 4)}-{new string(chars, 4, 4)}-{new string(chars, 8, 4)}-{new string(chars, 12, 4)}";
    }

    /// <summary>What the user typed, as it was hashed: case, spaces and dashes do not matter.</summary>
    public static string Normalize(string code) =>
        new(code.Where(c => !char.IsWhiteSpace(c) && c != '-').Select(char.ToLowerInvariant).ToArray());
}
