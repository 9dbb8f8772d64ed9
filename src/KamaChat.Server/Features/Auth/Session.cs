using KamaChat.Server.Features.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KamaChat.Server.Features.Auth;

/// <summary>
/// One signed-in device: the family of refresh tokens born from one login.
/// Access tokens carry its id, so revoking it cuts off the device at once.
/// </summary>
public sealed class Session
{
    public Snowflake Id { get; set; }

    public Snowflake UserId { get; set; }

    public User User { get; set; } = null!;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastUsedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public string? RevokedReason { get; set; }

    public string? UserAgent { get; set; }

    public string? IpAddress { get; set; }

    public List<RefreshToken> RefreshTokens { get; set; } = [];
}

/// <summary>An opaque refresh token, stored only as its SHA-256 hash; used once, then replaced.</summary>
public sealed class RefreshToken
{
    public Snowflake Id { get; set; }

    public Snowflake SessionId { get; set; }

    public Session Session { get; set; } = null!;

    public byte[] TokenHash { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}

internal sealed class SessionConfiguration : IEntityTypeConfiguration<Session>
{
    public void Configure(EntityTypeBuilder<Session> session)
    {
        session.ToTable("sessions");
        session.Property(s => s.Id).ValueGeneratedNever();
        session.Property(s => s.UserAgent).HasMaxLength(512);
        session.Property(s => s.IpAddress).HasMaxLength(64);
        session.Property(s => s.RevokedReason).HasMaxLength(64);
        session.HasOne(s => s.User).WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        session.HasIndex(s => s.UserId);
    }
}

internal sealed class RefreshTokenConfiguration : IEntityTypeConfiguration<RefreshToken>
{
    public void Configure(EntityTypeBuilder<RefreshToken> token)
    {
        token.ToTable("refresh_tokens");
        token.Property(t => t.Id).ValueGeneratedNever();
        token.Property(t => t.TokenHash).HasMaxLength(32);
        token.HasIndex(t => t.TokenHash).IsUnique();
        token.HasOne(t => t.Session).WithMany(s => s.RefreshTokens).HasForeignKey(t => t.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}
