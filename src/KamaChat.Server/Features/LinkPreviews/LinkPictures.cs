using System.Security.Cryptography;
using KamaChat.Server.Data;
using KamaChat.Server.Infrastructure.Media;
using KamaChat.Server.Infrastructure.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.LinkPreviews;

/// <summary>A preview's picture as stored: its hash (<see cref="LinkImage.KeyOf"/>) and its size.</summary>
public sealed record StoredPicture(string Hash, int Width, int Height);

/// <summary>
/// A page's picture, as Discord's media proxy serves it: readers never load it from the page's site (which would learn
/// each reader's address), but from here. It is fetched through the same guard as the page (<see cref="LinkFetcher"/>),
/// only as an image type and at most <see cref="LinkPreviewOptions.MaxImageBytes"/>; decoded only when its header counts
/// at most <see cref="LinkPreviewOptions.MaxImagePixels"/>; and stored re-encoded, without metadata (GPS positions in
/// photos), once per distinct picture.
/// </summary>
public sealed class LinkPictures(
    LinkFetcher fetcher, ImageProcessor images, IMediaStorage storage, IOptions<LinkPreviewOptions> options, TimeProvider time, ILogger<LinkPictures> logger)
{
    private static readonly string[] ImageTypes = ["image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"];

    /// <summary>What browsers show and libvips is allowed to decode; the bytes must be one of these, whatever the response said.</summary>
    private static readonly SniffedType[] Decodable = [MediaSniffer.Jpeg, MediaSniffer.Png, MediaSniffer.Gif, MediaSniffer.WebP, MediaSniffer.Avif];

    /// <summary>The picture at <paramref name="url"/>, stored (or found stored); null when it cannot or may not be shown.</summary>
    public async Task<StoredPicture?> GetAsync(KamaDbContext db, Uri url)
    {
        var limit = options.Value.MaxImageBytes;
        // One byte more than allowed: a body that fills it is too big, not cut short.
        var fetched = await fetcher.FetchAsync(url, ImageTypes, limit + 1, CancellationToken.None);
        if (fetched.Outcome != FetchOutcome.Fetched || fetched.Body!.Length > limit)
        {
            logger.LogInformation("Link preview picture {Url}: {Outcome}", url, fetched.Outcome == FetchOutcome.Fetched ? "too large" : fetched.Outcome);
            return null;
        }
        var body = fetched.Body;
        var hash = Convert.ToHexStringLower(SHA256.HashData(body));
        if (await TouchAsync(db, hash) is { } known)
            return known;

        var type = MediaSniffer.Sniff(body.AsSpan(0, Math.Min(body.Length, MediaSniffer.HeaderLength)));
        if (!Decodable.Contains(type))
        {
            logger.LogInformation("Link preview picture {Url}: not an image ({Type})", url, type.ContentType);
            return null;
        }
        var directory = Directory.CreateTempSubdirectory("kamachat-link-image-");
        try
        {
            var source = Path.Combine(directory.FullName, "source." + type.Extension);
            await File.WriteAllBytesAsync(source, body);
            Rendition fitted;
            try
            {
                fitted = images.Fitted(source, type, directory.FullName, options.Value.MaxImageSide, options.Value.MaxImagePixels);
            }
            catch (MediaProcessingException e)
            {
                logger.LogInformation("Link preview picture {Url}: {Code}", url, e.Code);
                return null;
            }
            await using (var file = File.OpenRead(fitted.Path))
                await storage.PutAsync(LinkImage.KeyOf(hash), file, file.Length, fitted.ContentType);
            db.LinkImages.Add(new LinkImage { Hash = hash, Width = fitted.Width, Height = fitted.Height, UsedAt = time.GetUtcNow() });
            try
            {
                await db.SaveChangesAsync();
            }
            catch (DbUpdateException)
            {
                // Stored by another fetch meanwhile (the same bytes, the same file): theirs is the same picture.
            }
            db.ChangeTracker.Clear();
            return await TouchAsync(db, hash) ?? new StoredPicture(hash, fitted.Width, fitted.Height);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>The stored picture of <paramref name="hash"/>, marked as used now so that the sweep leaves it; null when there is none.</summary>
    private async Task<StoredPicture?> TouchAsync(KamaDbContext db, string hash)
    {
        var now = time.GetUtcNow();
        if (await db.LinkImages.Where(i => i.Hash == hash).ExecuteUpdateAsync(s => s.SetProperty(i => i.UsedAt, now)) == 0)
            return null;
        return await db.LinkImages.AsNoTracking().Where(i => i.Hash == hash).Select(i => new StoredPicture(i.Hash, i.Width, i.Height)).SingleOrDefaultAsync();
    }
}
