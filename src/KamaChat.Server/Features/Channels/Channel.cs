using KamaChat.Server.Features.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KamaChat.Server.Features.Channels;

public enum ChannelType
{
    Text = 0,
    Voice = 1,
    Category = 2,
    Dm = 3,
    GroupDm = 4,
}

/// <summary>A place messages (or voice) happen: a server channel, a category, a DM or a group DM.</summary>
public sealed class Channel
{
    public const int NameMaxLength = 100;
    public const int TopicMaxLength = 1024;
    public const int MaxSlowModeSeconds = 21600;
    public const int MaxGroupDmRecipients = 10;
    public const int MaxUserLimit = 99;

    public Snowflake Id { get; set; }

    public ChannelType Type { get; set; }

    /// <summary>Null for DMs and group DMs.</summary>
    public Snowflake? ServerId { get; set; }

    public string? Name { get; set; }

    public string? Topic { get; set; }

    /// <summary>The category this channel sits in.</summary>
    public Snowflake? ParentId { get; set; }

    public int Position { get; set; }

    public int SlowModeSeconds { get; set; }

    /// <summary>A voice channel's most participants at once (0: no limit); MOVE_MEMBERS may join or move people past it.</summary>
    public int UserLimit { get; set; }

    /// <summary>A group DM's picture (an https URL for now, like server icons).</summary>
    public string? IconUrl { get; set; }

    /// <summary>Group DM owner (adds and removes recipients).</summary>
    public Snowflake? OwnerId { get; set; }

    /// <summary>For a DM: "{smaller user id}:{larger user id}", unique, so a pair has one DM channel.</summary>
    public string? DmKey { get; set; }

    public Snowflake? LastMessageId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<PermissionOverwrite> Overwrites { get; set; } = [];

    public List<ChannelRecipient> Recipients { get; set; } = [];

    public bool IsPrivate => Type is ChannelType.Dm or ChannelType.GroupDm;
}

public enum OverwriteTarget
{
    Role = 0,
    Member = 1,
}

/// <summary>Allows and denies for one role or member in one channel, on top of their server-wide permissions.</summary>
public sealed class PermissionOverwrite
{
    public Snowflake ChannelId { get; set; }

    public OverwriteTarget TargetType { get; set; }

    /// <summary>A role id (the server id for @everyone) or a user id.</summary>
    public Snowflake TargetId { get; set; }

    public Permissions.Permissions Allow { get; set; }

    public Permissions.Permissions Deny { get; set; }
}

/// <summary>A participant of a DM or group DM.</summary>
public sealed class ChannelRecipient
{
    public Snowflake ChannelId { get; set; }

    public Snowflake UserId { get; set; }

    public User User { get; set; } = null!;

    public DateTimeOffset JoinedAt { get; set; }

    /// <summary>The join as a place in message-id order, as <see cref="Servers.Member.JoinPosition"/> is for a server.</summary>
    public Snowflake JoinPosition { get; set; }
}

internal sealed class ChannelConfiguration :
    IEntityTypeConfiguration<Channel>, IEntityTypeConfiguration<PermissionOverwrite>, IEntityTypeConfiguration<ChannelRecipient>
{
    public void Configure(EntityTypeBuilder<Channel> channel)
    {
        channel.ToTable("channels");
        channel.Property(c => c.Id).ValueGeneratedNever();
        channel.Property(c => c.Name).HasMaxLength(Channel.NameMaxLength);
        channel.Property(c => c.Topic).HasMaxLength(Channel.TopicMaxLength);
        channel.Property(c => c.IconUrl).HasMaxLength(Users.User.AvatarUrlMaxLength);
        channel.Property(c => c.DmKey).HasMaxLength(48);
        channel.Ignore(c => c.IsPrivate);
        channel.HasOne<Servers.ChatServer>().WithMany().HasForeignKey(c => c.ServerId).OnDelete(DeleteBehavior.Cascade);
        channel.HasIndex(c => c.ServerId);
        channel.HasIndex(c => c.DmKey).IsUnique();
    }

    public void Configure(EntityTypeBuilder<PermissionOverwrite> overwrite)
    {
        overwrite.ToTable("permission_overwrites");
        overwrite.HasKey(o => new { o.ChannelId, o.TargetType, o.TargetId });
        overwrite.HasOne<Channel>().WithMany(c => c.Overwrites).HasForeignKey(o => o.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<ChannelRecipient> recipient)
    {
        recipient.ToTable("channel_recipients");
        recipient.HasKey(r => new { r.ChannelId, r.UserId });
        recipient.HasOne<Channel>().WithMany(c => c.Recipients).HasForeignKey(r => r.ChannelId).OnDelete(DeleteBehavior.Cascade);
        recipient.HasOne(r => r.User).WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
        recipient.HasIndex(r => r.UserId);
    }
}
