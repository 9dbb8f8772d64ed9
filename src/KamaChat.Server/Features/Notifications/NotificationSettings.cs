using KamaChat.Server.Features.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KamaChat.Server.Features.Notifications;

/// <summary>Which unread messages reach a user by email while they are away.</summary>
public enum EmailNotifications
{
    /// <summary>DMs, mentions, and every other message in channels they can read (servers they did not mute).</summary>
    All = 0,

    /// <summary>DMs and mentions (the default).</summary>
    Mentions = 1,

    None = 2,
}

/// <summary>A user's email-notification choice and where their digests stand. No row means the defaults.</summary>
public sealed class NotificationSettings
{
    public Snowflake UserId { get; set; }

    public EmailNotifications Email { get; set; } = EmailNotifications.Mentions;

    /// <summary>
    /// No pop-up notifications on the user's devices (the desktop app, installed web apps, browsers that allow them):
    /// the desktop tray's "Mute notifications". Clients read it and stay quiet; email follows <see cref="Email"/>.
    /// </summary>
    public bool DesktopMuted { get; set; }

    /// <summary>Newest message already mailed about: a message is in at most one digest.</summary>
    public Snowflake LastNotifiedMessageId { get; set; }

    /// <summary>When the last digest window was claimed: one digest per user per window.</summary>
    public DateTimeOffset? LastDigestAt { get; set; }
}

/// <summary>A server whose messages never reach the user by email.</summary>
public sealed class MutedServer
{
    public Snowflake UserId { get; set; }

    public Snowflake ServerId { get; set; }
}

public static class EmailNotificationNames
{
    public static string Of(EmailNotifications value) => value switch
    {
        EmailNotifications.All => "all",
        EmailNotifications.None => "none",
        _ => "mentions",
    };

    public static bool TryParse(string? text, out EmailNotifications value)
    {
        (var ok, value) = text?.ToLowerInvariant() switch
        {
            "all" => (true, EmailNotifications.All),
            "mentions" => (true, EmailNotifications.Mentions),
            "none" => (true, EmailNotifications.None),
            _ => (false, EmailNotifications.Mentions),
        };
        return ok;
    }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<NotificationSettings>, IEntityTypeConfiguration<MutedServer>
{
    public void Configure(EntityTypeBuilder<NotificationSettings> settings)
    {
        settings.ToTable("notification_settings");
        settings.HasKey(s => s.UserId);
        settings.HasOne<User>().WithOne().HasForeignKey<NotificationSettings>(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<MutedServer> muted)
    {
        muted.ToTable("notification_muted_servers");
        muted.HasKey(m => new { m.UserId, m.ServerId });
        muted.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        muted.HasOne<Servers.ChatServer>().WithMany().HasForeignKey(m => m.ServerId).OnDelete(DeleteBehavior.Cascade);
    }
}
