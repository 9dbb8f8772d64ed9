using System.Collections.Frozen;
using KamaChat.Server.Features.Users;
using Microsoft.AspNetCore.Identity;

namespace KamaChat.Server.Features.Auth;

/// <summary>
/// Refuses passwords from a list of the most common ones, and the user's own name or email.
/// Length plus a block list is what NIST SP 800-63B recommends over composition rules.
/// </summary>
public sealed class CommonPasswordValidator : IPasswordValidator<User>
{
    private static readonly FrozenSet<string> Common = Load();

    public Task<IdentityResult> ValidateAsync(UserManager<User> manager, User user, string? password)
    {
        if (string.IsNullOrEmpty(password))
            return Task.FromResult(IdentityResult.Success);
        var lowered = password.ToLowerInvariant();
        if (Common.Contains(lowered))
            return Failed("PasswordTooCommon", "This password is too common; choose one that is harder to guess.");
        if (lowered == user.UserName?.ToLowerInvariant() || lowered == user.Email?.ToLowerInvariant())
            return Failed("PasswordMatchesAccount", "The password must not be your username or email address.");
        return Task.FromResult(IdentityResult.Success);
    }

    private static Task<IdentityResult> Failed(string code, string description) =>
        Task.FromResult(IdentityResult.Failed(new IdentityError { Code = code, Description = description }));

    private static FrozenSet<string> Load()
    {
        using var stream = typeof(CommonPasswordValidator).Assembly.GetManifestResourceStream("KamaChat.CommonPasswords")
            ?? throw new InvalidOperationException("The common-password list is missing from the assembly.");
        using var reader = new StreamReader(stream);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
            if (line.Trim() is { Length: > 0 } word && !word.StartsWith('#'))
                words.Add(word.ToLowerInvariant());
        return words.ToFrozenSet(StringComparer.Ordinal);
    }
}
