using System.Data.Common;
using KamaChat.Server.Data;
using KamaChat.Server.Features.ProfileImages;
using KamaChat.Server.Infrastructure.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Attachments;

/// <summary>
/// The backstop of every file deletion: lists storage and removes the files no row points at any more — attachments
/// whose row is gone, pictures no user or server uses — once they are older than <see cref="UploadOptions.OrphanGrace"/>
/// (a file is stored before its row is written, so a young file without a row may be an upload in flight). Deletion
/// jobs that ended in the dead-letter queue, a queue that was down, a crash between commit and enqueue: all end here.
/// </summary>
public sealed class OrphanFileSweeper(
    IServiceScopeFactory scopes, IMediaStorage storage, IOptions<UploadOptions> options, TimeProvider time, ILogger<OrphanFileSweeper> logger)
    : BackgroundService
{
    private const int BatchSize = 500;

    /// <summary>One sweep; returns how many orphaned folders (an attachment's files, one picture's sizes) and stale temporary files it deleted.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.OrphanGrace;
        var deleted = await SweepAsync("attachments/", 1, cutoff, async (db, folders, ct) =>
        {
            var named = folders.Select(f => (Folder: f, Valid: Snowflake.TryParse(f.Split('/')[1], out var id) && f == $"attachments/{id}/", Id: id)).ToList();
            var ids = named.Where(n => n.Valid).Select(n => n.Id).ToList();
            var known = await db.Attachments.Where(a => ids.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct);
            // A folder not named by an attachment id is not one we wrote: it counts as known and stays.
            return known.Select(id => $"attachments/{id}/").Concat(named.Where(n => !n.Valid).Select(n => n.Folder)).ToHashSet();
        }, cancellationToken);
        deleted += await SweepAsync(ProfileImageKind.Avatar.Folder + "/", 2, cutoff, async (db, folders, ct) =>
        {
            var urls = folders.Select(UrlOf).ToList();
            return (await db.Users.Where(u => urls.Contains(u.AvatarUrl!)).Select(u => u.AvatarUrl!).ToListAsync(ct)).Select(PrefixOf).ToHashSet();
        }, cancellationToken);
        deleted += await SweepAsync(ProfileImageKind.ServerIcon.Folder + "/", 2, cutoff, async (db, folders, ct) =>
        {
            var urls = folders.Select(UrlOf).ToList();
            return (await db.Servers.Where(s => urls.Contains(s.IconUrl!)).Select(s => s.IconUrl!).ToListAsync(ct)).Select(PrefixOf).ToHashSet();
        }, cancellationToken);
        // Half-written files of uploads cut off by a crash are local disk's own (S3 drops unfinished multipart parts itself).
        if (storage is LocalDiskStorage disk)
            deleted += disk.DeleteStaleTemporaryFiles(options.Value.OrphanGrace, time);
        // A group DM's icon outlives nothing: when the last participant leaves, the group is deleted and the sweep takes its icon.
        deleted += await SweepAsync(ProfileImageKind.GroupIcon.Folder + "/", 2, cutoff, async (db, folders, ct) =>
        {
            var urls = folders.Select(UrlOf).ToList();
            return (await db.Channels.Where(c => urls.Contains(c.IconUrl!)).Select(c => c.IconUrl!).ToListAsync(ct)).Select(PrefixOf).ToHashSet();
        }, cancellationToken);
        return deleted;
    }

    /// <summary>
    /// Groups the keys under <paramref name="root"/> into folders (root plus <paramref name="depth"/> segments), and deletes
    /// each folder whose files are all older than <paramref name="cutoff"/> and that <paramref name="knownAsync"/> does not name.
    /// </summary>
    private async Task<int> SweepAsync(string root, int depth, DateTimeOffset cutoff,
        Func<KamaDbContext, IReadOnlyList<string>, CancellationToken, Task<HashSet<string>>> knownAsync, CancellationToken cancellationToken)
    {
        var newest = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await foreach (var stored in storage.ListAsync(root, cancellationToken))
        {
            var segments = stored.Key.Split('/');
            if (segments.Length <= depth + 1)
                continue; // not a file inside a folder of ours: leave it alone
            var folder = string.Join('/', segments.Take(depth + 1)) + "/";
            newest[folder] = newest.TryGetValue(folder, out var seen) && seen > stored.LastModified ? seen : stored.LastModified;
        }
        var candidates = newest.Where(f => f.Value < cutoff).Select(f => f.Key).Order(StringComparer.Ordinal).ToList();
        var deleted = 0;
        foreach (var batch in candidates.Chunk(BatchSize))
        {
            HashSet<string> known;
            await using (var scope = scopes.CreateAsyncScope())
                known = await knownAsync(scope.ServiceProvider.GetRequiredService<KamaDbContext>(), batch, cancellationToken);
            foreach (var folder in batch.Where(f => !known.Contains(f)))
            {
                await storage.DeletePrefixAsync(folder, cancellationToken);
                deleted++;
            }
        }
        return deleted;
    }

    private static string UrlOf(string folder) => $"{ProfileImageStore.BasePath}{folder}{ProfileImageStore.DefaultSize}.webp";

    private static string PrefixOf(string url) => ProfileImageStore.PrefixOf(url) ?? "";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.OrphanSweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (await SweepAsync(stoppingToken) is > 0 and var deleted)
                    logger.LogInformation("Deleted {Count} folders of stored files that nothing refers to", deleted);
            }
            catch (Exception e) when (e is DbException or IOException)
            {
                logger.LogWarning(e, "Could not sweep orphaned files; trying again at the next interval");
            }
        }
    }
}
