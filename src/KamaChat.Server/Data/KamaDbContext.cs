using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Servers;
using KamaChat.Server.Features.Users;
using KamaChat.Server.Infrastructure.Jobs;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace KamaChat.Server.Data;

/// <summary>
/// The data layer. Handlers query it directly. Each database provider has its own subclass
/// so that each keeps its own migrations and provider-specific conventions.
/// </summary>
public abstract class KamaDbContext(DbContextOptions options) : IdentityUserContext<User, Snowflake>(options), IDataProtectionKeyContext
{
    /// <summary>Data Protection's key ring, shared by every node so tokens one node issues are readable by all.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<JobReceipt> JobReceipts => Set<JobReceipt>();

    public DbSet<Session> Sessions => Set<Session>();

    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    public DbSet<ChatServer> Servers => Set<ChatServer>();

    public DbSet<Member> Members => Set<Member>();

    public DbSet<Role> Roles => Set<Role>();

    public DbSet<MemberRole> MemberRoles => Set<MemberRole>();

    public DbSet<Ban> Bans => Set<Ban>();

    public DbSet<Invite> Invites => Set<Invite>();

    public DbSet<Channel> Channels => Set<Channel>();

    public DbSet<PermissionOverwrite> PermissionOverwrites => Set<PermissionOverwrite>();

    public DbSet<ChannelRecipient> ChannelRecipients => Set<ChannelRecipient>();

    public DbSet<Message> Messages => Set<Message>();

    public DbSet<MessageMention> MessageMentions => Set<MessageMention>();

    public DbSet<Reaction> Reactions => Set<Reaction>();

    public DbSet<ReadState> ReadStates => Set<ReadState>();

    public DbSet<Attachment> Attachments => Set<Attachment>();

    public DbSet<EventLogEntry> EventLog => Set<EventLogEntry>();

    public DbSet<Features.Audit.AuditLogEntry> AuditLog => Set<Features.Audit.AuditLogEntry>();

    public DbSet<EventSequence> EventSequences => Set<EventSequence>();

    public DbSet<Features.LinkPreviews.LinkPreview> LinkPreviews => Set<Features.LinkPreviews.LinkPreview>();

    public DbSet<Features.LinkPreviews.LinkImage> LinkImages => Set<Features.LinkPreviews.LinkImage>();

    public DbSet<Features.LinkPreviews.MessageLinkImage> MessageLinkImages => Set<Features.LinkPreviews.MessageLinkImage>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityUserClaim<Snowflake>>().ToTable("user_claims");
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityUserLogin<Snowflake>>().ToTable("user_logins");
        builder.Entity<Microsoft.AspNetCore.Identity.IdentityUserToken<Snowflake>>().ToTable("user_tokens");
        builder.Entity<DataProtectionKey>().ToTable("data_protection_keys");
        builder.ApplyConfigurationsFromAssembly(typeof(KamaDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every id column stays a 64-bit integer; comparisons and ordering in SQL work on it as before.
        configurationBuilder.Properties<Snowflake>().HaveConversion<SnowflakeValueConverter>();
        configurationBuilder.Properties<Snowflake?>().HaveConversion<SnowflakeValueConverter>();
        configurationBuilder.DefaultTypeMapping<Snowflake>().HasConversion<SnowflakeValueConverter>();
    }
}

/// <summary>The embedded default: a SQLite file in the data directory.</summary>
public sealed class SqliteKamaDbContext(DbContextOptions<SqliteKamaDbContext> options) : KamaDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        // SQLite has no timestamp type and EF cannot compare DateTimeOffset stored as text;
        // stored as a sortable integer, range filters on expiry and time work on both providers.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}

/// <summary>Production: PostgreSQL 15+.</summary>
public sealed class PostgresKamaDbContext(DbContextOptions<PostgresKamaDbContext> options) : KamaDbContext(options);
