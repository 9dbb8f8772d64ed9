using System.Data.Common;
using KamaChat.Server.Data;
using KamaChat.Server.Infrastructure.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.LinkPreviews;

/// <summary>
/// Removes what link previews leave behind: <c>link_previews</c> entries past their <see cref="LinkPreviewOptions.CacheLifetime"/>
/// (and <see cref="LinkPreviewOptions.SweepGrace"/>), then the stored pictures that no entry and no message's preview
/// names any more and that no fetch stored or found within the grace period. A picture's row goes first, in one
/// statement that checks all of that again, and its file only when the row did: a fetch that finds the picture
/// meanwhile marks it used (<see cref="LinkImage.UsedAt"/>) and keeps it. Last, a file under <c>link-images/</c> with no
/// row (a fetch stopped between storing it and writing its row) goes once it is older than the grace period.
/// </summary>
public sealed class LinkPreviewSweeper(
    IServiceScopeFactory scopes, IMediaStorage storage, IOptions<LinkPreviewOptions> options, TimeProvider time, ILogger<LinkPreviewSweeper> logger)
    : BackgroundService
{
    private const int BatchSize = 500;

    /// <summary>One sweep; returns how many entries and pictures it deleted.</summary>
    public async Task<(int Previews, int Pictures)> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (lifetime, grace) = (options.Value.CacheLifetime, options.Value.SweepGrace);
        var stale = now - lifetime - grace;
        var unused = now - grace;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var previews = await db.LinkPreviews.Where(p => p.FetchedAt < stale).ExecuteDeleteAsync(cancellationToken);
        var pictures = 0;
        while (true)
        {
            var hashes = await Unreferenced(db, unused).OrderBy(i => i.Hash).Take(BatchSize).Select(i => i.Hash).ToListAsync(cancellationToken);
            foreach (var hash in hashes)
            {
                if (await Unreferenced(db, unused).Where(i => i.Hash == hash).ExecuteDeleteAsync(cancellationToken) == 0)
                    continue;
                await storage.DeleteAsync(LinkImage.KeyOf(hash), cancellationToken);
                pictures++;
            }
            if (hashes.Count < BatchSize)
                break;
        }
        return (previews, pictures + await SweepStrayFilesAsync(db, unused, cancellationToken));
    }

    private async Task<int> SweepStrayFilesAsync(KamaDbContext db, DateTimeOffset unused, CancellationToken cancellationToken)
    {
        var old = new List<(string Key, string Hash)>();
        await foreach (var stored in storage.ListAsync(LinkImage.Folder, cancellationToken))
        {
            if (stored.LastModified < unused && stored.Key.EndsWith(".webp", StringComparison.Ordinal))
                old.Add((stored.Key, stored.Key[LinkImage.Folder.Length..^".webp".Length]));
        }
        var deleted = 0;
        foreach (var batch in old.Chunk(BatchSize))
        {
            var hashes = batch.Select(f => f.Hash).ToList();
            var known = (await db.LinkImages.Where(i => hashes.Contains(i.Hash)).Select(i => i.Hash).ToListAsync(cancellationToken)).ToHashSet();
            foreach (var (key, _) in batch.Where(f => !known.Contains(f.Hash)))
            {
                await storage.DeleteAsync(key, cancellationToken);
                deleted++;
            }
        }
        return deleted;
    }

    private static IQueryable<LinkImage> Unreferenced(KamaDbContext db, DateTimeOffset unused) =>
        db.LinkImages.Where(i => i.UsedAt < unused
            && !db.LinkPreviews.Any(p => p.ImageHash == i.Hash)
            && !db.MessageLinkImages.Any(m => m.ImageHash == i.Hash));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (await SweepAsync(stoppingToken) is var (previews, pictures) && previews + pictures > 0)
                    logger.LogInformation("Deleted {Previews} old link previews and {Pictures} pictures no preview shows", previews, pictures);
            }
            catch (Exception e) when (e is DbException or IOException)
            {
                logger.LogWarning(e, "Could not sweep link previews; trying again at the next interval");
            }
        }
    }
}
