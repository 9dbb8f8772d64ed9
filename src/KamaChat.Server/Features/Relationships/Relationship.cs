using KamaChat.Server.Features.Servers;
using KamaChat.Server.Features.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KamaChat.Server.Features.Relationships;

/// <summary>What another user is to a user. Each side of a pair has its own row, so each sees only its own view.</summary>
public enum RelationshipType
{
    Friend = 1,

    /// <summary>The user blocked the other one. The blocked side has no row (it is not told).</summary>
    Blocked = 2,

    /// <summary>The other user asked to be friends.</summary>
    IncomingRequest = 3,

    /// <summary>The user asked the other one to be friends.</summary>
    OutgoingRequest = 4,
}

/// <summary>
/// One side of a relationship: friends have two Friend rows, a request an Outgoing and an Incoming row, a block one
/// Blocked row (two when both blocked). <see cref="Version"/> changes with every write, so two changes to the same pair
/// at once cannot both succeed on what they read (the loser retries on the winner's rows).
/// </summary>
public sealed class Relationship
{
    public Snowflake UserId { get; set; }

    public Snowflake OtherUserId { get; set; }

    public User OtherUser { get; set; } = null!;

    public RelationshipType Type { get; set; }

    /// <summary>When this row took its type: the request was sent, the friendship began, the block was made.</summary>
    public DateTimeOffset Since { get; set; }

    public long Version { get; set; }
}

/// <summary>Who may reach a user who is not their friend. No row means the defaults: everyone may.</summary>
public sealed class PrivacySettings
{
    public Snowflake UserId { get; set; }

    /// <summary>DMs from people who are not friends, when no per-server choice says otherwise (see <see cref="ServerPrivacy"/>).</summary>
    public bool AllowDmsFromServerMembers { get; set; } = true;

    public bool FriendRequestsFromEveryone { get; set; } = true;

    public bool FriendRequestsFromFriendsOfFriends { get; set; } = true;

    public bool FriendRequestsFromServerMembers { get; set; } = true;
}

/// <summary>A user's choice, for one server they are in, of whether its members may DM them (overriding the default).</summary>
public sealed class ServerPrivacy
{
    public Snowflake UserId { get; set; }

    public Snowflake ServerId { get; set; }

    public bool AllowDms { get; set; }
}

internal sealed class RelationshipConfiguration :
    IEntityTypeConfiguration<Relationship>, IEntityTypeConfiguration<PrivacySettings>, IEntityTypeConfiguration<ServerPrivacy>
{
    public void Configure(EntityTypeBuilder<Relationship> relationship)
    {
        relationship.ToTable("relationships");
        relationship.HasKey(r => new { r.UserId, r.OtherUserId });
        relationship.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
        relationship.HasOne(r => r.OtherUser).WithMany().HasForeignKey(r => r.OtherUserId).OnDelete(DeleteBehavior.Cascade);
        relationship.Property(r => r.Version).IsConcurrencyToken();
    }

    public void Configure(EntityTypeBuilder<PrivacySettings> settings)
    {
        settings.ToTable("privacy_settings");
        settings.HasKey(s => s.UserId);
        settings.HasOne<User>().WithOne().HasForeignKey<PrivacySettings>(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<ServerPrivacy> server)
    {
        server.ToTable("privacy_servers");
        server.HasKey(s => new { s.UserId, s.ServerId });
        server.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        server.HasOne<ChatServer>().WithMany().HasForeignKey(s => s.ServerId).OnDelete(DeleteBehavior.Cascade);
    }
}
