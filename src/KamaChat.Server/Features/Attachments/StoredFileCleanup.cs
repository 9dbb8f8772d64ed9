using KamaChat.Server.Infrastructure.Jobs;
using KamaChat.Server.Infrastructure.Storage;

namespace KamaChat.Server.Features.Attachments;

/// <summary>
/// Queues the deletion of stored files whose rows a change removed, once that change is committed: the files of
/// deleted attachments (a message, a channel, a server, a ban's purge) and replaced or orphaned pictures. The jobs retry
/// until storage answers; if the queue itself is down the files stay, and <see cref="OrphanFileSweeper"/> finds them.
/// </summary>
public sealed class StoredFileCleanup(IJobQueue jobs, ILogger<StoredFileCleanup> logger)
{
    private const int AttachmentsPerJob = 500;

    public async Task AttachmentsAsync(IReadOnlyCollection<Snowflake> attachmentIds)
    {
        foreach (var batch in attachmentIds.Chunk(AttachmentsPerJob))
            await EnqueueAsync(new DeleteAttachmentFilesJob(batch), $"{batch.Length} attachments");
    }

    public async Task PrefixesAsync(params string?[] prefixes)
    {
        string[] present = [.. prefixes.OfType<string>().Distinct()];
        if (present.Length > 0)
            await EnqueueAsync(new DeleteStoredFilesJob(present), string.Join(", ", present));
    }

    // The rows are already gone (committed): neither the request's cancellation nor a queue outage may undo that or turn it into an error.
    private async Task EnqueueAsync<TJob>(TJob job, string what) where TJob : class, IJob
    {
        try
        {
            await jobs.EnqueueAsync(job, CancellationToken.None);
        }
        catch (JobQueueUnavailableException e)
        {
            logger.LogWarning(e, "Could not queue the deletion of the files of {What}; the orphan sweep will remove them", what);
        }
    }
}
