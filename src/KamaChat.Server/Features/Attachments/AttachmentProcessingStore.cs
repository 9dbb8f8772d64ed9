using KamaChat.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Attachments;

/// <summary>The attachment as the processing job needs it.</summary>
public sealed record AttachmentToProcess(Snowflake Id, string StorageKey, string FileName, AttachmentState State);

/// <summary>What processing decided; every key is in the storage backend next to the original.</summary>
public sealed record AttachmentProcessingResult(
    AttachmentState State,
    string ContentType,
    string StorageKey,
    int? Width = null,
    int? Height = null,
    int? DurationMs = null,
    string? Placeholder = null,
    string? ThumbnailKey = null,
    string? PreviewKey = null,
    string? PlaybackKey = null,
    string? Waveform = null,
    string? Error = null);

/// <summary>
/// Where <see cref="ProcessAttachmentJobHandler"/> reads and records an attachment's processing. The default binds it to
/// the attachments table; the messaging layer decorates it to announce the change (MessageUpdated) to the channel.
/// </summary>
public interface IAttachmentProcessingStore
{
    /// <summary>The attachment, or null when it is gone (deleted while queued: nothing to do).</summary>
    Task<AttachmentToProcess?> FindAsync(Snowflake attachmentId, CancellationToken cancellationToken);

    Task MarkProcessingAsync(Snowflake attachmentId, CancellationToken cancellationToken);

    Task ReportProgressAsync(Snowflake attachmentId, int percent, CancellationToken cancellationToken);

    /// <returns>False when the row is gone (its message or channel was deleted while it was processed).</returns>
    Task<bool> CompleteAsync(Snowflake attachmentId, AttachmentProcessingResult result, CancellationToken cancellationToken);
}

/// <summary>The attachments table as <see cref="IAttachmentProcessingStore"/>.</summary>
public sealed class AttachmentProcessingStore(KamaDbContext db) : IAttachmentProcessingStore
{
    public Task<AttachmentToProcess?> FindAsync(Snowflake attachmentId, CancellationToken cancellationToken) =>
        db.Set<Attachment>().AsNoTracking().Where(a => a.Id == attachmentId)
            .Select(a => new AttachmentToProcess(a.Id, a.StorageKey, a.FileName, a.State))
            .FirstOrDefaultAsync(cancellationToken);

    public Task MarkProcessingAsync(Snowflake attachmentId, CancellationToken cancellationToken) =>
        db.Set<Attachment>().Where(a => a.Id == attachmentId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, AttachmentState.Processing).SetProperty(a => a.ProcessingProgress, 0), cancellationToken);

    public Task ReportProgressAsync(Snowflake attachmentId, int percent, CancellationToken cancellationToken) =>
        db.Set<Attachment>().Where(a => a.Id == attachmentId && a.State == AttachmentState.Processing)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.ProcessingProgress, percent), cancellationToken);

    public async Task<bool> CompleteAsync(Snowflake attachmentId, AttachmentProcessingResult result, CancellationToken cancellationToken) =>
        await db.Set<Attachment>().Where(a => a.Id == attachmentId)
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.State, result.State)
                .SetProperty(a => a.ProcessingProgress, 100)
                .SetProperty(a => a.ContentType, result.ContentType)
                .SetProperty(a => a.StorageKey, result.StorageKey)
                .SetProperty(a => a.Width, result.Width)
                .SetProperty(a => a.Height, result.Height)
                .SetProperty(a => a.DurationMs, result.DurationMs)
                .SetProperty(a => a.Placeholder, result.Placeholder)
                .SetProperty(a => a.ThumbnailKey, result.ThumbnailKey)
                .SetProperty(a => a.PreviewKey, result.PreviewKey)
                .SetProperty(a => a.PlaybackKey, result.PlaybackKey)
                .SetProperty(a => a.Waveform, result.Waveform)
                .SetProperty(a => a.ProcessingError, result.Error), cancellationToken) > 0;
}
