using KamaChat.Server.Infrastructure.Jobs;

namespace KamaChat.Server.Infrastructure.Storage;

/// <summary>Removes every stored file under these key prefixes (a replaced avatar's renditions, a deleted server's icon).</summary>
public sealed record DeleteStoredFilesJob(string[] Prefixes) : IJob
{
    public static string JobType => "storage.delete-prefixes";
}

/// <summary>Idempotent, like every deletion job: a redelivery finishes what a failed run started; a backend failure throws and the queue retries.</summary>
public sealed class DeleteStoredFilesJobHandler(IMediaStorage storage, ILogger<DeleteStoredFilesJobHandler> logger) : IJobHandler<DeleteStoredFilesJob>
{
    public async Task HandleAsync(DeleteStoredFilesJob job, JobContext context, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var prefix in job.Prefixes)
            deleted += await storage.DeletePrefixAsync(prefix, cancellationToken);
        logger.LogInformation("Deleted {Count} stored files under {Prefixes}", deleted, string.Join(", ", job.Prefixes));
    }
}

public static class MediaStorageDeletion
{
    /// <summary>Deletes every object whose key starts with <paramref name="prefix"/> (which must end in '/'); returns how many there were.</summary>
    public static async Task<int> DeletePrefixAsync(this IMediaStorage storage, string prefix, CancellationToken cancellationToken)
    {
        if (!prefix.EndsWith('/'))
            throw new ArgumentException($"'{prefix}' must end in '/', or it would also match its siblings.", nameof(prefix));
        var keys = new List<string>();
        await foreach (var stored in storage.ListAsync(prefix, cancellationToken))
            keys.Add(stored.Key);
        foreach (var key in keys)
            await storage.DeleteAsync(key, cancellationToken);
        return keys.Count;
    }
}
