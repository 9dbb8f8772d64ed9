using System.Data.Common;
using KamaChat.Server.Data;
using KamaChat.Server.Infrastructure.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Attachments;

/// <summary>
/// Deletes uploads that no message took within <see cref="UploadOptions.UnattachedLifetime"/> (the tab was closed, the
/// message never sent), rows first and files through <see cref="DeleteAttachmentFilesJob"/>. A send that claims an
/// upload and this sweep cannot both win: each changes the row only while its MessageId is still null.
/// </summary>
public sealed class UnattachedUploadSweeper(
    IServiceScopeFactory scopes, IOptions<UploadOptions> options, TimeProvider time, ILogger<UnattachedUploadSweeper> logger) : BackgroundService
{
    private const int BatchSize = 500;

    /// <summary>One sweep; returns how many uploads it deleted.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.UnattachedLifetime;
        var total = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
            var ids = await db.Attachments.Where(a => a.MessageId == null && a.CreatedAt < cutoff)
                .OrderBy(a => a.Id).Take(BatchSize).Select(a => a.Id).ToArrayAsync(cancellationToken);
            if (ids.Length == 0)
                return total;
            await db.Attachments.Where(a => ids.Contains(a.Id) && a.MessageId == null).ExecuteDeleteAsync(cancellationToken);
            // An upload a message claimed meanwhile keeps its row and its files; only those whose row is gone lose their files.
            var gone = ids.Except(await db.Attachments.Where(a => ids.Contains(a.Id)).Select(a => a.Id).ToListAsync(cancellationToken)).ToArray();
            if (gone.Length > 0)
                await scope.ServiceProvider.GetRequiredService<IJobQueue>().EnqueueAsync(new DeleteAttachmentFilesJob(gone), cancellationToken);
            total += gone.Length;
            if (ids.Length < BatchSize)
                return total;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (await SweepAsync(stoppingToken) is > 0 and var deleted)
                    logger.LogInformation("Deleted {Count} uploads never sent with a message", deleted);
            }
            catch (Exception e) when (e is DbException or JobQueueUnavailableException)
            {
                logger.LogWarning(e, "Could not sweep unattached uploads; trying again at the next interval");
            }
        }
    }
}
