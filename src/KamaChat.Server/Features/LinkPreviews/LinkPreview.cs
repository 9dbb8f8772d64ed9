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

    public static string HashOf(Uri url) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url.AbsoluteUri)));

    public MessageEmbed? ToEmbed(Uri url) =>
        Outcome == LinkPreviewOutcome.Preview ? new MessageEmbed(url.AbsoluteUri, SiteName, Title, Description) : null;
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

/// <summary>A link's preview under a message: the page's site, title and description as plain text.</summary>
public sealed record MessageEmbed(string Url, string? SiteName, string? Title, string? Description);

/// <summary>A message's previews as its <c>Embeds</c> column holds them: a JSON array, null for none.</summary>
public static class MessageEmbeds
{
    public static string? Serialize(IReadOnlyList<MessageEmbed> embeds) =>
        embeds.Count == 0 ? null : JsonSerializer.Serialize(embeds, JsonSerializerOptions.Web);

    public static IReadOnlyList<MessageEmbed> Deserialize(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize<List<MessageEmbed>>(json, JsonSerializerOptions.Web) ?? [];

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
        // Old entries are swept by age.
        preview.HasIndex(p => p.FetchedAt);
    }
}
