using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KamaChat.Server.Features.LinkPreviews;

/// <summary>
/// What one link showed when it was last fetched, kept for <see cref="LinkPreviewOptions.CacheLifetime"/> so that a link
/// pasted fifty times is fetched once, on whichever node. A refused or failed fetch is kept too: it is not retried at once.
/// </summary>
public sealed class LinkPreview
{
    /// <summary>SHA-256 of the link (hex): a fixed-size key however long the link.</summary>
    public string UrlHash { get; set; } = "";

    public string Url { get; set; } = "";

    public LinkPreviewOutcome Outcome { get; set; }

    public string? SiteName { get; set; }

    public string? Title { get; set; }

    public string? Description { get; set; }

    public DateTimeOffset FetchedAt { get; set; }

    /// <summary>The page's picture (og:image, twitter:image) as stored here (<see cref="LinkImage"/>); null when it had none or it could not be used.</summary>
    public string? ImageHash { get; set; }

    public int? ImageWidth { get; set; }

    public int? ImageHeight { get; set; }

    /// <summary>The page asked for a large picture (<c>twitter:card=summary_large_image</c>) rather than a thumbnail.</summary>
    public bool LargeImage { get; set; }

    public static string HashOf(Uri url) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url.AbsoluteUri)));

    public StoredEmbed? ToEmbed(Uri url) =>
        Outcome == LinkPreviewOutcome.Preview
            ? new StoredEmbed(url.AbsoluteUri, SiteName, Title, Description,
                ImageHash is { } hash ? new StoredEmbedImage(hash, ImageWidth ?? 0, ImageHeight ?? 0, LargeImage) : null)
            : null;
}

/// <summary>
/// A preview's picture, fetched through <see cref="LinkFetcher"/>, re-encoded without metadata and stored once under the
/// hash of the bytes fetched (<see cref="KeyOf"/>), however many pages show it. Kept while a <c>link_previews</c> row or a
/// message's preview (<see cref="MessageLinkImage"/>) refers to it; <see cref="LinkPreviewSweeper"/> removes the rest.
/// </summary>
public sealed class LinkImage
{
    /// <summary>SHA-256 (hex) of the picture's bytes as fetched.</summary>
    public string Hash { get; set; } = "";

    public int Width { get; set; }

    public int Height { get; set; }

    /// <summary>When a fetch last stored or found it: the sweep leaves pictures used within its grace period alone.</summary>
    public DateTimeOffset UsedAt { get; set; }

    public const string Folder = "link-images/";

    public static string KeyOf(string hash) => $"{Folder}{hash}.webp";
}

/// <summary>A picture a message's previews show: while one row names it, the picture stays.</summary>
public sealed class MessageLinkImage
{
    public Snowflake MessageId { get; set; }

    public string ImageHash { get; set; } = "";
}

/// <summary>Stored as a number: never renumber, only add.</summary>
public enum LinkPreviewOutcome
{
    /// <summary>A page with something to show.</summary>
    Preview = 0,

    /// <summary>A page with neither title nor description.</summary>
    Nothing = 1,

    /// <summary>The link (or a redirect) points where previews may not go.</summary>
    Refused = 2,

    /// <summary>Unreachable, too slow, an error, or not a web page.</summary>
    Failed = 3,
}

/// <summary>A link's preview under a message: the page's site, title and description as plain text, and its picture.</summary>
/// <param name="Image">Null when the page had none (and in previews made before pictures were).</param>
public sealed record MessageEmbed(string Url, string? SiteName, string? Title, string? Description, EmbedImage? Image = null);

/// <summary>A preview's picture: a signed, expiring URL of this server's copy (never the page's own), and its size in pixels.</summary>
/// <param name="Large">Shown large under the text (<c>twitter:card=summary_large_image</c>) rather than as a thumbnail beside it.</param>
public sealed record EmbedImage(string Url, int Width, int Height, bool Large);

/// <summary>A preview as the message's <c>Embeds</c> column holds it: the picture by its hash, signed when read.</summary>
public sealed record StoredEmbed(string Url, string? SiteName, string? Title, string? Description, StoredEmbedImage? Image = null);

public sealed record StoredEmbedImage(string Hash, int Width, int Height, bool Large);

/// <summary>A message's previews as its <c>Embeds</c> column holds them: a JSON array, null for none.</summary>
public static class MessageEmbeds
{
    public static string? Serialize(IReadOnlyList<StoredEmbed> embeds) =>
        embeds.Count == 0 ? null : JsonSerializer.Serialize(embeds, JsonSerializerOptions.Web);

    public static IReadOnlyList<StoredEmbed> Deserialize(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize<List<StoredEmbed>>(json, JsonSerializerOptions.Web) ?? [];

    /// <summary>The previews as readers get them, each picture with a URL signed like an attachment's.</summary>
    public static IReadOnlyList<MessageEmbed> Describe(string? json, Attachments.AttachmentLinks links) =>
        json is null
            ? []
            : Deserialize(json).Select(e => new MessageEmbed(e.Url, e.SiteName, e.Title, e.Description,
                e.Image is { } image ? new EmbedImage(links.Inline(LinkImage.KeyOf(image.Hash), "image/webp"), image.Width, image.Height, image.Large) : null)).ToList();

    /// <summary>The hashes of the pictures the previews show.</summary>
    public static List<string> ImageHashes(string? json) => Deserialize(json).Select(e => e.Image?.Hash).OfType<string>().Distinct().ToList();

    /// <summary>
    /// Makes the message's <see cref="MessageLinkImage"/> rows name exactly the pictures of <paramref name="json"/>, in the
    /// caller's transaction (with the change to the message's previews).
    /// </summary>
    public static async Task SyncImagesAsync(KamaChat.Server.Data.KamaDbContext db, Snowflake messageId, string? json, CancellationToken cancellationToken)
    {
        var hashes = ImageHashes(json);
        await db.MessageLinkImages.Where(i => i.MessageId == messageId && !hashes.Contains(i.ImageHash)).ExecuteDeleteAsync(cancellationToken);
        var present = await db.MessageLinkImages.Where(i => i.MessageId == messageId).Select(i => i.ImageHash).ToListAsync(cancellationToken);
        var added = hashes.Except(present).Select(h => new MessageLinkImage { MessageId = messageId, ImageHash = h }).ToList();
        if (added.Count == 0)
            return;
        db.MessageLinkImages.AddRange(added);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var row in added)
            db.Entry(row).State = EntityState.Detached;
    }

    /// <summary>The previews of links still in the message after an edit, in their order.</summary>
    public static string? KeepOnly(string? json, IReadOnlyList<Uri> links)
    {
        if (json is null)
            return null;
        var kept = Deserialize(json).Where(e => links.Any(l => l.AbsoluteUri == e.Url)).ToList();
        return Serialize(kept);
    }
}

internal sealed class LinkPreviewConfiguration : IEntityTypeConfiguration<LinkPreview>
{
    public void Configure(EntityTypeBuilder<LinkPreview> preview)
    {
        preview.ToTable("link_previews");
        preview.HasKey(p => p.UrlHash);
        preview.Property(p => p.UrlHash).HasMaxLength(64);
        preview.Property(p => p.Url).HasMaxLength(LinkUrls.MaxUrlLength);
        preview.Property(p => p.SiteName).HasMaxLength(PageMetadata.SiteNameMaxLength);
        preview.Property(p => p.Title).HasMaxLength(PageMetadata.TitleMaxLength);
        preview.Property(p => p.Description).HasMaxLength(PageMetadata.DescriptionMaxLength);
        preview.Property(p => p.ImageHash).HasMaxLength(64);
        // Old entries are swept by age; a picture no entry names may go.
        preview.HasIndex(p => p.FetchedAt);
        preview.HasIndex(p => p.ImageHash);
    }
}

internal sealed class LinkImageConfiguration : IEntityTypeConfiguration<LinkImage>
{
    public void Configure(EntityTypeBuilder<LinkImage> image)
    {
        image.ToTable("link_images");
        image.HasKey(i => i.Hash);
        image.Property(i => i.Hash).HasMaxLength(64);
        image.HasIndex(i => i.UsedAt);
    }
}

internal sealed class MessageLinkImageConfiguration : IEntityTypeConfiguration<MessageLinkImage>
{
    public void Configure(EntityTypeBuilder<MessageLinkImage> image)
    {
        image.ToTable("message_link_images");
        image.HasKey(i => new { i.MessageId, i.ImageHash });
        image.Property(i => i.ImageHash).HasMaxLength(64);
        image.HasIndex(i => i.ImageHash);
        // A deleted message (or its channel's, its server's) lets go of its pictures.
        image.HasOne<Messages.Message>().WithMany().HasForeignKey(i => i.MessageId).OnDelete(DeleteBehavior.Cascade);
    }
}
