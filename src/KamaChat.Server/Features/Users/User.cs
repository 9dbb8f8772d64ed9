using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KamaChat.Server.Features.Users;

/// <summary>An account: ASP.NET Core Identity's user plus the public profile.</summary>
public sealed class User : IdentityUser<Snowflake>
{
    public const int UserNameMinLength = 2;
    public const int UserNameMaxLength = 32;
    public const int DisplayNameMaxLength = 100;
    public const int BioMaxLength = 190;
    public const int StatusTextMaxLength = 128;
    public const int AvatarUrlMaxLength = 2048;

    public string? DisplayName { get; set; }

    public string? Bio { get; set; }

    public string? AvatarUrl { get; set; }

    /// <summary>The 5:2 picture at the top of the profile card, one of ours (see ProfileImageStore) or null.</summary>
    public string? BannerUrl { get; set; }

    public string? StatusText { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> user)
    {
        user.ToTable("users");
        // IDs are snowflakes from SnowflakeGenerator, never database-generated.
        user.Property(u => u.Id).ValueGeneratedNever();
        user.Property(u => u.UserName).HasMaxLength(User.UserNameMaxLength);
        user.Property(u => u.NormalizedUserName).HasMaxLength(User.UserNameMaxLength);
        user.Property(u => u.DisplayName).HasMaxLength(User.DisplayNameMaxLength);
        user.Property(u => u.Bio).HasMaxLength(User.BioMaxLength);
        user.Property(u => u.AvatarUrl).HasMaxLength(User.AvatarUrlMaxLength);
        user.Property(u => u.BannerUrl).HasMaxLength(User.AvatarUrlMaxLength);
        user.Property(u => u.StatusText).HasMaxLength(User.StatusTextMaxLength);
        // Identity checks uniqueness in code; the index makes it hold under concurrent sign-ups too.
        user.HasIndex(u => u.NormalizedEmail).HasDatabaseName("EmailIndex").IsUnique();
    }
}
