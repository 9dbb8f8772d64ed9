using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KamaChat.Server.Features.Attachments;

public enum AttachmentState
{
    Pending = 0,
    Processing = 1,
    Ready = 2,
    /// <summary>Could not be processed (too many pixels, undecodable, timed out...): a plain download, see <see cref="Attachment.ProcessingError"/>.</summary>
    Failed = 3,
    /// <summary>The virus scanner found something: the bytes are deleted.</summary>
    Blocked = 4,
}

/// <summary>
/// A file attached to a message, in its own table (the seed asks for it): the bytes live in storage under
/// <see cref="StorageKey"/> (with derivatives next to it); this row holds what is known about them. The processing
/// job (<see cref="ProcessAttachmentJob"/>) fills in the sniffed type, dimensions, placeholder and derivative keys.
/// </summary>
public sealed class Attachment
{
    public const int FileNameMaxLength = 255;

    public Snowflake Id { get; set; }

    /// <summary>Null while uploaded but not yet sent with a message.</summary>
    public Snowflake? MessageId { get; set; }

    public Snowflake ChannelId { get; set; }

    public Snowflake UploaderId { get; set; }

    /// <summary>The bytes served as the original: the upload, or after processing its copy without metadata.</summary>
    public string StorageKey { get; set; } = "";

    /// <summary>Sanitized for display (<see cref="AttachmentFileName.Sanitize"/>), never used as a path.</summary>
    public string FileName { get; set; } = "";

    /// <summary>Sniffed from the bytes, never taken from the client.</summary>
    public string ContentType { get; set; } = "";

    public long Size { get; set; }

    public int? Width { get; set; }

    public int? Height { get; set; }

    public int? DurationMs { get; set; }

    /// <summary>WebP, 400 px on the long edge (of the image, or of a video's poster frame).</summary>
    public string? ThumbnailKey { get; set; }

    /// <summary>WebP, 1600 px on the long edge.</summary>
    public string? PreviewKey { get; set; }

    /// <summary>An MP4 browsers play (H.264/AAC, faststart) when the original is not one, or carried metadata.</summary>
    public string? PlaybackKey { get; set; }

    /// <summary>ThumbHash, base64: the blurred preview shown before the thumbnail arrives.</summary>
    public string? Placeholder { get; set; }

    /// <summary>Audio: 100 peaks (0..255), base64, for the player's waveform.</summary>
    public string? Waveform { get; set; }

    public AttachmentState State { get; set; }

    /// <summary>0..100 while <see cref="AttachmentState.Processing"/> (transcodes report as they go).</summary>
    public int ProcessingProgress { get; set; }

    /// <summary>Why processing failed or blocked the file: too_many_pixels, undecodable, timed_out, too_long, infected, missing.</summary>
    public string? ProcessingError { get; set; }

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
        attachment.Property(a => a.PreviewKey).HasMaxLength(512);
        attachment.Property(a => a.PlaybackKey).HasMaxLength(512);
        attachment.Property(a => a.Placeholder).HasMaxLength(64);
        attachment.Property(a => a.Waveform).HasMaxLength(200);
        attachment.Property(a => a.ProcessingError).HasMaxLength(64);
        attachment.Property(a => a.FileName).HasMaxLength(Attachment.FileNameMaxLength);
        attachment.Property(a => a.ContentType).HasMaxLength(128);
        attachment.HasOne<Messages.Message>().WithMany(m => m.Attachments).HasForeignKey(a => a.MessageId).OnDelete(DeleteBehavior.Cascade);
        attachment.HasOne<Channels.Channel>().WithMany().HasForeignKey(a => a.ChannelId).OnDelete(DeleteBehavior.Cascade);
        // The unattached-upload sweep reads (MessageId null, CreatedAt before the cut-off); history reads by MessageId.
        attachment.HasIndex(a => new { a.MessageId, a.CreatedAt });
        attachment.HasIndex(a => a.ChannelId);
    }
}
