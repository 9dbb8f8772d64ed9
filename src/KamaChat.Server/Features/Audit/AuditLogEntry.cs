using KamaChat.Server.Features.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KamaChat.Server.Features.Audit;

/// <summary>
/// One moderation or configuration action in a server: who did what to which target, why, and what changed.
/// Written in the same transaction as the change (see <see cref="AuditLog"/>), kept <see cref="AuditLogRetention.Retention"/>.
/// </summary>
public sealed class AuditLogEntry
{
    public const int ReasonMaxLength = 512;

    public Snowflake Id { get; set; }

    public Snowflake ServerId { get; set; }

    public Snowflake ActorId { get; set; }

    /// <summary>One of <see cref="AuditActions"/>.</summary>
    public string Action { get; set; } = "";

    /// <summary>The user, channel, role, message or overwrite target acted on; null for the server itself and for invites (their code is in the changes).</summary>
    public Snowflake? TargetId { get; set; }

    public string? Reason { get; set; }

    /// <summary>The changed fields as a JSON array of <see cref="AuditChange"/>.</summary>
    public string Changes { get; set; } = "[]";

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A field's value before and after, as text (null where it had none: before a creation, after a deletion).</summary>
public sealed record AuditChange(string Key, string? Old, string? New);

/// <summary>The action names, stable in the API and the database (Discord's audit log events, in snake case).</summary>
public static class AuditActions
{
    public const string ServerUpdate = "server_update";
    public const string ServerTransfer = "server_transfer";
    public const string ChannelCreate = "channel_create";
    public const string ChannelUpdate = "channel_update";
    public const string ChannelDelete = "channel_delete";
    public const string OverwriteUpdate = "overwrite_update";
    public const string OverwriteDelete = "overwrite_delete";
    public const string RoleCreate = "role_create";
    public const string RoleUpdate = "role_update";
    public const string RoleDelete = "role_delete";
    public const string MemberUpdate = "member_update";
    public const string MemberRoleUpdate = "member_role_update";
    public const string MemberTimeout = "member_timeout";
    public const string MemberKick = "member_kick";
    public const string MemberBanAdd = "member_ban_add";
    public const string MemberBanRemove = "member_ban_remove";
    public const string InviteCreate = "invite_create";
    public const string InviteDelete = "invite_delete";
    public const string MessageDelete = "message_delete";
    public const string MessagePin = "message_pin";
    public const string MessageUnpin = "message_unpin";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        ServerUpdate, ServerTransfer, ChannelCreate, ChannelUpdate, ChannelDelete, OverwriteUpdate, OverwriteDelete, RoleCreate, RoleUpdate,
        RoleDelete, MemberUpdate, MemberRoleUpdate, MemberTimeout, MemberKick, MemberBanAdd, MemberBanRemove, InviteCreate,
        InviteDelete, MessageDelete, MessagePin, MessageUnpin,
    };
}

internal sealed class AuditLogConfiguration : IEntityTypeConfiguration<AuditLogEntry>
{
    public void Configure(EntityTypeBuilder<AuditLogEntry> entry)
    {
        entry.ToTable("audit_log");
        entry.Property(e => e.Id).ValueGeneratedNever();
        entry.Property(e => e.Action).HasMaxLength(32);
        entry.Property(e => e.Reason).HasMaxLength(AuditLogEntry.ReasonMaxLength);
        entry.HasOne<ChatServer>().WithMany().HasForeignKey(e => e.ServerId).OnDelete(DeleteBehavior.Cascade);
        // The list reads a server's entries newest first, by id; the sweep by age.
        entry.HasIndex(e => new { e.ServerId, e.Id });
        entry.HasIndex(e => e.CreatedAt);
    }
}
