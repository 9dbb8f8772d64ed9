using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KamaChat.Server.Features.Attachments;

public enum AttachmentState
{
    Pending = 0,
    Processing = 1,
    Ready = 2,
    Failed = 3,
}

/// <summary>
/// A file attached to a message, in its own table (the seed asks for it): the bytes live in storage under
/// <see cref="StorageKey"/>; this row holds what is known about them. Upload and processing come later.
/// </summary>
public sealed class Attachment
{
    public const int FileNameMaxLength = 255;

    public Snowflake Id { get; set; }

    /// <summary>Null while uploaded but not yet sent with a message.</summary>
    public Snowflake? MessageId { get; set; }

    public Snowflake ChannelId { get; set; }

    public Snowflake UploaderId { get; set; }

    public string StorageKey { get; set; } = "";

    public string FileName { get; set; } = "";

    public string ContentType { get; set; } = "";

    public long Size { get; set; }

    public int? Width { get; set; }

    public int? Height { get; set; }

    public int? DurationMs { get; set; }

    public string? ThumbnailKey { get; set; }

    public AttachmentState State { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class AttachmentConfiguration : IEntityTypeConfiguration<Attachment>
{
    public void Configure(EntityTypeBuilder<Attachment> attachment)
    {
        attachment.ToTable("attachments");
        attachment.Property(a => a.Id).ValueGeneratedNever();
        attachment.Property(a => a.StorageKey).HasMaxLength(512);
        attachment.Property(a => a.ThumbnailKey).HasMaxLength(512);
        attachment.Property(a => a.FileName).HasMaxLength(Attachment.FileNameMaxLength);
        attachment.Property(a => a.ContentType).HasMaxLength(128);
        attachment.HasOne<Messages.Message>().WithMany(m => m.Attachments).HasForeignKey(a => a.MessageId).OnDelete(DeleteBehavior.Cascade);
        attachment.HasOne<Channels.Channel>().WithMany().HasForeignKey(a => a.ChannelId).OnDelete(DeleteBehavior.Cascade);
        attachment.HasIndex(a => a.MessageId);
        attachment.HasIndex(a => a.ChannelId);
    }
}
