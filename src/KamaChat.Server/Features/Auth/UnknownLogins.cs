using KamaChat.Server.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Auth;

/// <summary>Failed sign-ins for a login name that no account has, counted the way Identity counts them for an account.</summary>
public sealed class UnknownLoginFailure
{
    public const int LoginMaxLength = 256;

    /// <summary>The login as typed, upper-cased (as Identity normalizes names and addresses).</summary>
    public string Login { get; set; } = "";

    public int FailedCount { get; set; }

    public DateTimeOffset? LockoutEnd { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class UnknownLoginFailureConfiguration : IEntityTypeConfiguration<UnknownLoginFailure>
{
    public void Configure(EntityTypeBuilder<UnknownLoginFailure> failure)
    {
        failure.ToTable("unknown_login_failures");
        failure.HasKey(f => f.Login);
        failure.Property(f => f.Login).HasMaxLength(UnknownLoginFailure.LoginMaxLength);
        failure.HasIndex(f => f.UpdatedAt);
    }
}

/// <summary>
/// Locks out a login name nobody has exactly as an account is locked out (the same number of failures, the same
/// lockout time, the same answers), so trying passwords does not reveal which accounts exist.
/// </summary>
public sealed class UnknownLogins(KamaDbContext db, IOptions<IdentityOptions> identity, TimeProvider time)
{
    /// <summary>Names not tried for this long are forgotten.</summary>
    private static readonly TimeSpan Memory = TimeSpan.FromDays(1);

    private static long _lastPruneTicks;

    /// <summary>Counts a failed attempt for a name with no account.</summary>
    /// <returns>The end of the lockout when the name is (now) locked out, like a real account would be; otherwise null.</returns>
    public async Task<DateTimeOffset?> FailedAsync(string login, CancellationToken cancellationToken)
    {
        var key = login.ToUpperInvariant();
        if (key.Length > UnknownLoginFailure.LoginMaxLength)
            key = key[..UnknownLoginFailure.LoginMaxLength];
        var now = time.GetUtcNow();
        var lockout = identity.Value.Lockout;

        var failure = await db.Set<UnknownLoginFailure>().FindAsync([key], cancellationToken);
        if (failure?.LockoutEnd > now)
            return failure.LockoutEnd; // locked: like Identity, a locked name counts nothing more
        if (failure is null)
            db.Add(failure = new UnknownLoginFailure { Login = key });
        failure.FailedCount++;
        failure.UpdatedAt = now;
        if (failure.FailedCount >= lockout.MaxFailedAccessAttempts)
            (failure.LockoutEnd, failure.FailedCount) = (now + lockout.DefaultLockoutTimeSpan, 0);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A concurrent first failure for the same name inserted the row: that attempt counted, this one is a plain failure.
            db.ChangeTracker.Clear();
            return null;
        }
        await PruneAsync(now, cancellationToken);
        return failure.LockoutEnd > now ? failure.LockoutEnd : null;
    }

    private async Task PruneAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var last = Interlocked.Read(ref _lastPruneTicks);
        if (now.UtcTicks - last < TimeSpan.TicksPerHour || Interlocked.CompareExchange(ref _lastPruneTicks, now.UtcTicks, last) != last)
            return;
        var cutoff = now - Memory;
        await db.Set<UnknownLoginFailure>().Where(f => f.UpdatedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
