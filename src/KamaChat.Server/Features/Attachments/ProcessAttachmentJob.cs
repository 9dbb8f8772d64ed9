using KamaChat.Server.Infrastructure.Jobs;
using KamaChat.Server.Infrastructure.Media;
using KamaChat.Server.Infrastructure.Storage;

namespace KamaChat.Server.Features.Attachments;

/// <summary>Turns a stored upload into what the client shows: sniffed type, scan, derivatives, metadata, a final state.</summary>
public sealed record ProcessAttachmentJob(Snowflake AttachmentId) : IJob
{
    public static string JobType => "attachments.process";
}

/// <summary>
/// Runs <see cref="AttachmentPipeline"/> for one attachment and records the outcome. Idempotent: an attachment
/// already ready, failed or blocked is left alone, and derivatives are written under fixed keys, so a redelivered
/// job overwrites rather than duplicates. A file that cannot be processed ends "failed" (a plain download) instead of
/// being retried; only infrastructure failures (storage, clamd unreachable) are retried by the queue.
/// </summary>
public sealed class ProcessAttachmentJobHandler(
    IAttachmentProcessingStore store,
    AttachmentPipeline pipeline,
    IMediaStorage storage,
    ILogger<ProcessAttachmentJobHandler> logger) : IJobHandler<ProcessAttachmentJob>
{
    public async Task HandleAsync(ProcessAttachmentJob job, JobContext context, CancellationToken cancellationToken)
    {
        var attachment = await store.FindAsync(job.AttachmentId, cancellationToken);
        if (attachment is null || attachment.State is AttachmentState.Ready or AttachmentState.Failed or AttachmentState.Blocked)
            return;
        await store.MarkProcessingAsync(attachment.Id, cancellationToken);

        // Progress comes from ffmpeg's output reader; one writer task records the latest value, so the store is never used concurrently.
        var latest = new LatestProgress();
        using var stopReporting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reporter = ReportProgressAsync(attachment.Id, latest, stopReporting.Token);
        AttachmentProcessingResult result;
        try
        {
            result = await pipeline.ProcessAsync(attachment, latest, cancellationToken);
        }
        finally
        {
            await stopReporting.CancelAsync();
            await reporter;
        }

        if (!await store.CompleteAsync(attachment.Id, result, cancellationToken))
        {
            // Deleted while it was processed: the deletion job may have run before these derivatives were written.
            await storage.DeletePrefixAsync(DeleteAttachmentFilesJob.Prefix(attachment.Id), cancellationToken);
            return;
        }
        logger.LogInformation("Attachment {AttachmentId} processed: {State} {ContentType} {Error}", attachment.Id, result.State, result.ContentType, result.Error);
        // The upload is deleted only once the row points at its replacement; a crash in between leaves an orphan for the sweep.
        if (result.StorageKey != attachment.StorageKey && result.State != AttachmentState.Blocked)
            await storage.DeleteAsync(attachment.StorageKey, cancellationToken);
    }

    private async Task ReportProgressAsync(Snowflake attachmentId, LatestProgress latest, CancellationToken cancellationToken)
    {
        var reported = -1;
        try
        {
            while (true)
            {
                await latest.Changed.WaitAsync(cancellationToken);
                var percent = latest.Value;
                if (percent != reported && percent < 100)
                {
                    await store.ReportProgressAsync(attachmentId, percent, cancellationToken);
                    reported = percent;
                }
                // At most one write a second: progress is for people, not a stopwatch.
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The newest percent reported, and a signal that there is one.</summary>
    private sealed class LatestProgress : IProgress<int>
    {
        private int _value;

        public SemaphoreSlim Changed { get; } = new(0, 1);

        public int Value => Volatile.Read(ref _value);

        public void Report(int value)
        {
            Volatile.Write(ref _value, value);
            if (Changed.CurrentCount == 0)
            {
                try
                {
                    Changed.Release();
                }
                catch (SemaphoreFullException)
                {
                    // Another report got there first; one pending signal is enough.
                }
            }
        }
    }
}
