using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KamaChat.Server.Features.Notifications;

/// <summary>Which messages of a server or channel pop up (desktop, browser, Web Push).</summary>
public enum NotificationLevel
{
    All = 0,
    Mentions = 1,
    Nothing = 2,
}

/// <summary>
/// A user's choice for one server or channel: its level (null: inherit) and a mute, for a while or until turned back
/// on. A channel's rule overrides its server's. No row means "inherit, not muted".
/// </summary>
public abstract class NotificationRule
{
    public Snowflake UserId { get; set; }

    public NotificationLevel? Level { get; set; }

    public bool Muted { get; set; }

    /// <summary>When a mute ends by itself; null with <see cref="Muted"/> means until the user turns it back on.</summary>
    public DateTimeOffset? MutedUntil { get; set; }

    public bool IsMutedAt(DateTimeOffset now) => Muted && (MutedUntil is null || MutedUntil > now);
}

public sealed class ServerNotificationRule : NotificationRule
{
    public Snowflake ServerId { get; set; }
}

public sealed class ChannelNotificationRule : NotificationRule
{
    public Snowflake ChannelId { get; set; }
}

/// <summary>
/// Whether a message reaches a user as a pop-up, from their rules. Servers default to "mentions" (a busy server
/// would otherwise pop up all day; Discord does the same for large servers), DMs and group DMs to "all". The web
/// client applies the same rules (features/notifications/rules.ts) to what its gateway delivers.
/// </summary>
public static class NotificationPolicy
{
    public static NotificationLevel DefaultFor(bool direct) => direct ? NotificationLevel.All : NotificationLevel.Mentions;

    public static bool Notifies(bool direct, bool mentioned, ServerNotificationRule? server, ChannelNotificationRule? channel, DateTimeOffset now)
    {
        if (channel?.IsMutedAt(now) == true || server?.IsMutedAt(now) == true)
            return false;
        return (channel?.Level ?? server?.Level ?? DefaultFor(direct)) switch
        {
            NotificationLevel.All => true,
            NotificationLevel.Mentions => mentioned,
            _ => false,
        };
    }

    /// <summary>Whether the user silenced the channel or its server outright (level nothing, or muted now): email digests skip it.</summary>
    public static bool Silenced(ServerNotificationRule? server, ChannelNotificationRule? channel, DateTimeOffset now) =>
        channel?.IsMutedAt(now) == true || server?.IsMutedAt(now) == true
        || (channel?.Level ?? server?.Level) == NotificationLevel.Nothing;
}

public static class NotificationLevelNames
{
    public static string Of(NotificationLevel value) => value switch
    {
        NotificationLevel.All => "all",
        NotificationLevel.Nothing => "nothing",
        _ => "mentions",
    };

    public static bool TryParse(string? text, out NotificationLevel value)
    {
        (var ok, value) = text?.ToLowerInvariant() switch
        {
            "all" => (true, NotificationLevel.All),
            "mentions" => (true, NotificationLevel.Mentions),
            "nothing" => (true, NotificationLevel.Nothing),
            _ => (false, NotificationLevel.Mentions),
        };
        return ok;
    }
}

internal sealed class NotificationRuleConfiguration : IEntityTypeConfiguration<ServerNotificationRule>, IEntityTypeConfiguration<ChannelNotificationRule>
{
    public void Configure(EntityTypeBuilder<ServerNotificationRule> rule)
    {
        rule.ToTable("notification_server_rules");
        rule.HasKey(r => new { r.UserId, r.ServerId });
        rule.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
        rule.HasOne<Servers.ChatServer>().WithMany().HasForeignKey(r => r.ServerId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<ChannelNotificationRule> rule)
    {
        rule.ToTable("notification_channel_rules");
        rule.HasKey(r => new { r.UserId, r.ChannelId });
        rule.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
        rule.HasOne<Channel>().WithMany().HasForeignKey(r => r.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}
