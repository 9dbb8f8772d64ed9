using KamaChat.Server.Features.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KamaChat.Server.Features.Servers;

/// <summary>A server in the product's sense: a community ("guild") of members, roles and channels under one owner.
/// Named ChatServer because Server is this assembly's root namespace.</summary>
public sealed class ChatServer
{
    public const int NameMaxLength = 100;
    public const int DescriptionMaxLength = 1024;

    public Snowflake Id { get; set; }

    public string Name { get; set; } = "";

    public string? Description { get; set; }

    public string? IconUrl { get; set; }

    /// <summary>The 5:2 picture at the top of the channel sidebar, one of ours (see ProfileImageStore) or null.</summary>
    public string? BannerUrl { get; set; }

    /// <summary>The text channel where "X joined the server" lines go; null for none. No foreign key: a deleted channel just means none.</summary>
    public Snowflake? SystemChannelId { get; set; }

    public Snowflake OwnerId { get; set; }

    public User Owner { get; set; } = null!;

    public DateTimeOffset CreatedAt { get; set; }

    public List<Member> Members { get; set; } = [];

    public List<Role> Roles { get; set; } = [];
}

/// <summary>A user's membership in a server.</summary>
public sealed class Member
{
    public const int NicknameMaxLength = 32;

    public Snowflake ServerId { get; set; }

    public ChatServer Server { get; set; } = null!;

    public Snowflake UserId { get; set; }

    public User User { get; set; } = null!;

    public string? Nickname { get; set; }

    public DateTimeOffset JoinedAt { get; set; }

    /// <summary>
    /// The join as a place in message-id order: an id issued at the join, so the server's messages sent before it have
    /// smaller ids and those sent after larger ones (across nodes, as far as their clocks agree). A channel this member
    /// never opened counts mentions from here (<see cref="ReadStates.ReadStateService"/>), not from its start. 0: before
    /// every message.
    /// </summary>
    public Snowflake JoinPosition { get; set; }

    /// <summary>Joined through a temporary invite: removed when their last session ends (Discord's "temporary membership").</summary>
    public bool Temporary { get; set; }

    /// <summary>Timed out (Discord's "communication disabled") until then: cannot send, react or join voice. In the past means not timed out.</summary>
    public DateTimeOffset? TimedOutUntil { get; set; }

    /// <summary>Server-muted by a moderator (MUTE_MEMBERS): their audio is not forwarded in any voice channel here until lifted.</summary>
    public bool VoiceMuted { get; set; }

    /// <summary>Server-deafened by a moderator (DEAFEN_MEMBERS): no one's audio is forwarded to them until lifted.</summary>
    public bool VoiceDeafened { get; set; }

    public List<MemberRole> Roles { get; set; } = [];
}

/// <summary>
/// A named set of permissions. The @everyone role has the server's id as its own id (Discord's convention),
/// so it can be found without a lookup and never collides.
/// </summary>
public sealed class Role
{
    public const int NameMaxLength = 100;
    public const string EveryoneName = "@everyone";

    public Snowflake Id { get; set; }

    public Snowflake ServerId { get; set; }

    public ChatServer Server { get; set; } = null!;

    public string Name { get; set; } = "";

    public Permissions.Permissions Permissions { get; set; }

    /// <summary>RGB as an integer, 0 for "no colour".</summary>
    public int Color { get; set; }

    /// <summary>Higher is more powerful; @everyone is 0. Members manage only roles below their highest.</summary>
    public int Position { get; set; }

    public bool Mentionable { get; set; }

    /// <summary>Shown as its own group in the member list, above "Online".</summary>
    public bool Hoist { get; set; }

    public bool IsEveryone => Id == ServerId;
}

public sealed class MemberRole
{
    public Snowflake ServerId { get; set; }

    public Snowflake UserId { get; set; }

    public Snowflake RoleId { get; set; }

    /// <summary>
    /// The grant as a place in message-id order, like <see cref="Member.JoinPosition"/>: an id issued when the role was
    /// given, so the role's mentions count for this member from here on (<see cref="ReadStates.ReadStateService"/>), not
    /// those sent before they had it. 0: grants from before this column, counted from the join or read position.
    /// </summary>
    public Snowflake GrantPosition { get; set; }

    public Role Role { get; set; } = null!;
}

public sealed class Ban
{
    public const int ReasonMaxLength = 512;

    public Snowflake ServerId { get; set; }

    public Snowflake UserId { get; set; }

    public string? Reason { get; set; }

    public Snowflake BannedById { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A join link. Refused when revoked, expired or used up.</summary>
public sealed class Invite
{
    public const int CodeLength = 10;

    public string Code { get; set; } = "";

    public Snowflake ServerId { get; set; }

    public ChatServer Server { get; set; } = null!;

    public Snowflake? ChannelId { get; set; }

    public Snowflake CreatorId { get; set; }

    /// <summary>0 means unlimited.</summary>
    public int MaxUses { get; set; }

    public int Uses { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public bool Temporary { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class ServerConfiguration :
    IEntityTypeConfiguration<ChatServer>, IEntityTypeConfiguration<Member>, IEntityTypeConfiguration<Role>,
    IEntityTypeConfiguration<MemberRole>, IEntityTypeConfiguration<Ban>, IEntityTypeConfiguration<Invite>
{
    public void Configure(EntityTypeBuilder<ChatServer> server)
    {
        server.ToTable("servers");
        server.Property(s => s.Id).ValueGeneratedNever();
        server.Property(s => s.Name).HasMaxLength(ChatServer.NameMaxLength);
        server.Property(s => s.Description).HasMaxLength(ChatServer.DescriptionMaxLength);
        server.Property(s => s.IconUrl).HasMaxLength(User.AvatarUrlMaxLength);
        server.Property(s => s.BannerUrl).HasMaxLength(User.AvatarUrlMaxLength);
        // A user who owns servers must transfer or delete them before deleting the account.
        server.HasOne(s => s.Owner).WithMany().HasForeignKey(s => s.OwnerId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<Member> member)
    {
        member.ToTable("members");
        member.HasKey(m => new { m.ServerId, m.UserId });
        member.Property(m => m.Nickname).HasMaxLength(Member.NicknameMaxLength);
        member.HasOne(m => m.Server).WithMany(s => s.Members).HasForeignKey(m => m.ServerId).OnDelete(DeleteBehavior.Cascade);
        member.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        member.HasIndex(m => m.UserId);
        member.HasMany(m => m.Roles).WithOne().HasForeignKey(r => new { r.ServerId, r.UserId }).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<Role> role)
    {
        role.ToTable("roles");
        role.Property(r => r.Id).ValueGeneratedNever();
        role.Property(r => r.Name).HasMaxLength(Role.NameMaxLength);
        role.Ignore(r => r.IsEveryone);
        role.HasOne(r => r.Server).WithMany(s => s.Roles).HasForeignKey(r => r.ServerId).OnDelete(DeleteBehavior.Cascade);
        role.HasIndex(r => r.ServerId);
    }

    public void Configure(EntityTypeBuilder<MemberRole> memberRole)
    {
        memberRole.ToTable("member_roles");
        memberRole.HasKey(r => new { r.ServerId, r.UserId, r.RoleId });
        memberRole.HasOne(r => r.Role).WithMany().HasForeignKey(r => r.RoleId).OnDelete(DeleteBehavior.Cascade);
        memberRole.HasIndex(r => r.RoleId);
        // A user's roles in all their servers (the digest): the key starts with the server, so without this it was a
        // scan of every membership's roles. The mention counts read the key, a server's roles at a time.
        memberRole.HasIndex(r => new { r.UserId, r.RoleId });
    }

    public void Configure(EntityTypeBuilder<Ban> ban)
    {
        ban.ToTable("bans");
        ban.HasKey(b => new { b.ServerId, b.UserId });
        ban.Property(b => b.Reason).HasMaxLength(Ban.ReasonMaxLength);
        ban.HasOne<ChatServer>().WithMany().HasForeignKey(b => b.ServerId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<Invite> invite)
    {
        invite.ToTable("invites");
        invite.HasKey(i => i.Code);
        invite.Property(i => i.Code).HasMaxLength(32);
        invite.HasOne(i => i.Server).WithMany().HasForeignKey(i => i.ServerId).OnDelete(DeleteBehavior.Cascade);
        invite.HasIndex(i => i.ServerId);
    }
}
