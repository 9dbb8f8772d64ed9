using System.Collections.Concurrent;
using KamaChat.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.LinkPreviews;

/// <summary>
/// A link's preview: from the <c>link_previews</c> table while fresh, otherwise fetched and stored (once per node at a
/// time, however many messages ask at once: <see cref="LinkPreviewFetches"/>).
/// </summary>
public sealed class LinkPreviewCache(KamaDbContext db, LinkPreviewFetches fetches, IOptions<LinkPreviewOptions> options, TimeProvider time)
{
    public async Task<LinkPreview> GetAsync(Uri url, CancellationToken cancellationToken)
    {
        var hash = LinkPreview.HashOf(url);
        var fresh = time.GetUtcNow() - options.Value.CacheLifetime;
        var known = await db.LinkPreviews.AsNoTracking().SingleOrDefaultAsync(p => p.UrlHash == hash, cancellationToken);
        return known is not null && known.FetchedAt > fresh ? known : await fetches.FetchAsync(url, cancellationToken);
    }
}

/// <summary>
/// The fetches under way on this node, so that one link asked for by many messages at once is fetched once. A fetch
/// ends once its result is stored: a job that looks for it after that finds the row, one that looked before joins the
/// fetch, and none falls between the two and fetches again.
/// </summary>
public sealed class LinkPreviewFetches(
    LinkFetcher fetcher, LinkPictures pictures, IServiceScopeFactory scopes, IOptions<LinkPreviewOptions> options, TimeProvider time, ILogger<LinkPreviewFetches> logger)
{
    private static readonly string[] HtmlTypes = ["text/html", "application/xhtml+xml"];

    private readonly ConcurrentDictionary<string, Lazy<Task<LinkPreview>>> _running = new();

    /// <summary>The link's new entry, fetched (or joined) and stored; untracked.</summary>
    public async Task<LinkPreview> FetchAsync(Uri url, CancellationToken cancellationToken)
    {
        var key = url.AbsoluteUri;
        var created = new Lazy<Task<LinkPreview>>(() => FetchAndStoreAsync(url));
        var flight = _running.GetOrAdd(key, created);
        // The one that started it takes it off the list when it ends, also when every caller stopped waiting.
        if (ReferenceEquals(flight, created))
            _ = flight.Value.ContinueWith(_ => _running.TryRemove(new KeyValuePair<string, Lazy<Task<LinkPreview>>>(key, flight)), TaskScheduler.Default);
        // Not the caller's token for the fetch itself: it is shared, and has its own deadline.
        return await flight.Value.WaitAsync(cancellationToken);
    }

    private async Task<LinkPreview> FetchAndStoreAsync(Uri url)
    {
        var hash = LinkPreview.HashOf(url);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        // A fetch that ended between the caller's look and this one has stored its result: no second fetch.
        var fresh = time.GetUtcNow() - options.Value.CacheLifetime;
        if (await db.LinkPreviews.AsNoTracking().SingleOrDefaultAsync(p => p.UrlHash == hash && p.FetchedAt > fresh) is { } stored)
            return stored;
        var preview = await FetchNowAsync(url, db);
        preview.UrlHash = hash;
        preview.FetchedAt = time.GetUtcNow();
        // Another node may have stored it meanwhile: the newer fetch wins either way.
        await db.LinkPreviews.Where(p => p.UrlHash == preview.UrlHash).ExecuteDeleteAsync();
        db.LinkPreviews.Add(preview);
        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException)
        {
            // Stored by another node between the delete and the insert: theirs is as fresh.
        }
        db.Entry(preview).State = EntityState.Detached;
        return preview;
    }

    private async Task<StoredPicture?> PictureAsync(Uri image, KamaDbContext db)
    {
        try
        {
            return await pictures.GetAsync(db, image);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Link preview picture {Url} failed", image);
            return null;
        }
    }

    private async Task<LinkPreview> FetchNowAsync(Uri url, KamaDbContext db)
    {
        try
        {
            return await FetchAndReadAsync(url, db);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Link preview of {Url} failed", url);
            return new LinkPreview { Url = url.AbsoluteUri, Outcome = LinkPreviewOutcome.Failed };
        }
    }

    private async Task<LinkPreview> FetchAndReadAsync(Uri url, KamaDbContext db)
    {
        var preview = new LinkPreview { Url = url.AbsoluteUri };
        var page = await fetcher.FetchAsync(url, HtmlTypes, options.Value.MaxHtmlBytes, CancellationToken.None);
        logger.LogInformation("Link preview of {Url}: {Outcome}", url, page.Outcome);
        if (page.Outcome == FetchOutcome.Refused)
        {
            preview.Outcome = LinkPreviewOutcome.Refused;
            return preview;
        }
        if (page.Outcome == FetchOutcome.Failed)
        {
            preview.Outcome = LinkPreviewOutcome.Failed;
            return preview;
        }
        var metadata = PageMetadata.Parse(page.Body!, page.CharSet, page.FinalUrl!);
        preview.Outcome = metadata.IsEmpty ? LinkPreviewOutcome.Nothing : LinkPreviewOutcome.Preview;
        (preview.SiteName, preview.Title, preview.Description) = (metadata.SiteName, metadata.Title, metadata.Description);
        // A card without its picture is still a card: a picture that fails costs only itself.
        if (preview.Outcome == LinkPreviewOutcome.Preview && metadata.Image is { } image && await PictureAsync(image, db) is { } picture)
            (preview.ImageHash, preview.ImageWidth, preview.ImageHeight, preview.LargeImage) = (picture.Hash, picture.Width, picture.Height, metadata.LargeImage);
        return preview;
    }
}
