using KamaChat.Server.Infrastructure.Jobs;
using KamaChat.Server.Infrastructure.Storage;

namespace KamaChat.Server.Features.Attachments;

/// <summary>Removes every stored file of these attachments (the original and its derivatives) once their rows are gone.</summary>
public sealed record DeleteAttachmentFilesJob(Snowflake[] AttachmentIds) : IJob
{
    public static string JobType => "attachments.delete-files";

    /// <summary>Where an attachment's files live: the upload and each derivative share this prefix.</summary>
    public static string Prefix(Snowflake attachmentId) => $"attachments/{attachmentId}/";
}

/// <summary>
/// Idempotent: a file already gone is nothing to do, so a redelivered job (a worker died midway, the backend failed)
/// finishes what the first run started. A backend failure throws, and the queue retries.
/// </summary>
public sealed class DeleteAttachmentFilesJobHandler(IMediaStorage storage, ILogger<DeleteAttachmentFilesJobHandler> logger)
    : IJobHandler<DeleteAttachmentFilesJob>
{
    public async Task HandleAsync(DeleteAttachmentFilesJob job, JobContext context, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var id in job.AttachmentIds)
        {
            deleted += await storage.DeletePrefixAsync(DeleteAttachmentFilesJob.Prefix(id), cancellationToken);
        }
        logger.LogInformation("Deleted {Count} stored files of {Attachments} attachments", deleted, job.AttachmentIds.Length);
    }
}
