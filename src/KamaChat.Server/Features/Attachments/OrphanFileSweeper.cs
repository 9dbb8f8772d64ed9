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
        deleted += await SweepPicturesAsync(ProfileImageKind.Avatar, db => db.Users.Select(u => u.AvatarUrl), cutoff, cancellationToken);
        deleted += await SweepPicturesAsync(ProfileImageKind.UserBanner, db => db.Users.Select(u => u.BannerUrl), cutoff, cancellationToken);
        deleted += await SweepPicturesAsync(ProfileImageKind.ServerIcon, db => db.Servers.Select(s => s.IconUrl), cutoff, cancellationToken);
        deleted += await SweepPicturesAsync(ProfileImageKind.ServerBanner, db => db.Servers.Select(s => s.BannerUrl), cutoff, cancellationToken);
        // Half-written files of uploads cut off by a crash are local disk's own (S3 drops unfinished multipart parts itself).
        if (storage is LocalDiskStorage disk)
            deleted += disk.DeleteStaleTemporaryFiles(options.Value.OrphanGrace, time);
        // A group DM's icon outlives nothing: when the last participant leaves, the group is deleted and the sweep takes its icon.
        deleted += await SweepPicturesAsync(ProfileImageKind.GroupIcon, db => db.Channels.Select(c => c.IconUrl), cutoff, cancellationToken);
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

    /// <summary>Sweeps the folders of one kind of picture that no row's URL in <paramref name="column"/> names.</summary>
    private Task<int> SweepPicturesAsync(ProfileImageKind kind, Func<KamaDbContext, IQueryable<string?>> column, DateTimeOffset cutoff,
        CancellationToken cancellationToken) =>
        SweepAsync(kind.Folder + "/", 2, cutoff, async (db, folders, ct) =>
        {
            var urls = folders.Select(folder => $"{ProfileImageStore.BasePath}{folder}{kind.DefaultWidth}.webp").ToList();
            var used = await column(db).Where(url => urls.Contains(url!)).ToListAsync(ct);
            return used.Select(url => ProfileImageStore.PrefixOf(url) ?? "").ToHashSet();
        }, cancellationToken);

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
