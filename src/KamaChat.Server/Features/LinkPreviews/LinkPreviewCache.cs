using System.Collections.Concurrent;
using KamaChat.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.LinkPreviews;

/// <summary>
/// A link's preview: from the <c>link_previews</c> table while fresh, otherwise fetched (once per node at a time, however
/// many messages ask at once) and stored for the next.
/// </summary>
public sealed class LinkPreviewCache(KamaDbContext db, LinkPreviewFetches fetches, IOptions<LinkPreviewOptions> options, TimeProvider time)
{
    public async Task<LinkPreview> GetAsync(Uri url, CancellationToken cancellationToken)
    {
        var hash = LinkPreview.HashOf(url);
        var now = time.GetUtcNow();
        var fresh = now - options.Value.CacheLifetime;
        var known = await db.LinkPreviews.AsNoTracking().SingleOrDefaultAsync(p => p.UrlHash == hash, cancellationToken);
        if (known is not null && known.FetchedAt > fresh)
            return known;

        var preview = await fetches.FetchAsync(url, cancellationToken);
        preview.UrlHash = hash;
        preview.FetchedAt = time.GetUtcNow();
        // Another node may have stored it meanwhile: the newer fetch wins either way.
        await db.LinkPreviews.Where(p => p.UrlHash == hash).ExecuteDeleteAsync(cancellationToken);
        db.LinkPreviews.Add(preview);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Stored by another job between the delete and the insert: theirs is as fresh.
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
        await db.LinkPreviews.Where(p => p.FetchedAt < fresh).ExecuteDeleteAsync(cancellationToken);
        return preview;
    }
}

/// <summary>The fetches under way on this node, so that one link asked for by many messages at once is fetched once.</summary>
public sealed class LinkPreviewFetches(LinkFetcher fetcher, IOptions<LinkPreviewOptions> options, ILogger<LinkPreviewFetches> logger)
{
    private static readonly string[] HtmlTypes = ["text/html", "application/xhtml+xml"];

    private readonly ConcurrentDictionary<string, Lazy<Task<LinkPreview>>> _running = new();

    /// <summary>A new (untracked, unstored) entry for <paramref name="url"/>; the caller stamps and stores it.</summary>
    public async Task<LinkPreview> FetchAsync(Uri url, CancellationToken cancellationToken)
    {
        var key = url.AbsoluteUri;
        var created = new Lazy<Task<LinkPreview>>(() => FetchNowAsync(url));
        var flight = _running.GetOrAdd(key, created);
        // The one that started it takes it off the list when it ends, also when every caller stopped waiting.
        if (ReferenceEquals(flight, created))
            _ = flight.Value.ContinueWith(_ => _running.TryRemove(new KeyValuePair<string, Lazy<Task<LinkPreview>>>(key, flight)), TaskScheduler.Default);
        // Not the caller's token for the fetch itself: it is shared, and has its own deadline.
        var found = await flight.Value.WaitAsync(cancellationToken);
        return new LinkPreview { Url = found.Url, Outcome = found.Outcome, SiteName = found.SiteName, Title = found.Title, Description = found.Description };
    }

    private async Task<LinkPreview> FetchNowAsync(Uri url)
    {
        try
        {
            return await FetchAndReadAsync(url);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Link preview of {Url} failed", url);
            return new LinkPreview { Url = url.AbsoluteUri, Outcome = LinkPreviewOutcome.Failed };
        }
    }

    private async Task<LinkPreview> FetchAndReadAsync(Uri url)
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
        return preview;
    }
}
