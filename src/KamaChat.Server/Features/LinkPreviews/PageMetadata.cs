using System.Text;
using AngleSharp.Html.Parser;
using KamaChat.Server.Infrastructure.Http;

namespace KamaChat.Server.Features.LinkPreviews;

/// <summary>What a preview shows of a page, as plain text cut to length: never HTML, whatever the page put in it.</summary>
/// <param name="LargeImage">The page asks for its picture large (<c>twitter:card</c> is <c>summary_large_image</c>).</param>
public sealed record PageMetadata(string? SiteName, string? Title, string? Description, Uri? Image, bool LargeImage = false)
{
    public const int SiteNameMaxLength = 100;
    public const int TitleMaxLength = 256;
    public const int DescriptionMaxLength = 350;

    public bool IsEmpty => Title is null && Description is null;

    /// <summary>
    /// Reads OpenGraph (<c>og:</c>), then Twitter card (<c>twitter:</c>), then the page's own <c>&lt;title&gt;</c> and
    /// meta description, with an HTML5 parser (entities decoded as browsers do). <paramref name="charSet"/> is the
    /// response's; without one the parser finds the page's own (a byte order mark, a meta charset) or reads UTF-8.
    /// </summary>
    public static PageMetadata Parse(byte[] html, string? charSet, Uri pageUrl)
    {
        var parser = new HtmlParser(new HtmlParserOptions { IsScripting = false });
        Encoding? encoding = null;
        if (charSet is not null)
        {
            try
            {
                encoding = Encoding.GetEncoding(charSet.Trim('"'));
            }
            catch (ArgumentException)
            {
                // An unknown charset: let the parser look for one in the page.
            }
        }
        using var document = encoding is null ? parser.ParseDocument(new MemoryStream(html)) : parser.ParseDocument(encoding.GetString(html));

        var metas = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var meta in document.QuerySelectorAll("meta"))
        {
            var key = meta.GetAttribute("property") ?? meta.GetAttribute("name");
            var value = meta.GetAttribute("content");
            if (key is not null && !string.IsNullOrWhiteSpace(value))
                metas.TryAdd(key.Trim(), value);
        }
        string? First(params string[] keys) => keys.Select(k => metas.GetValueOrDefault(k)).FirstOrDefault(v => v is not null);

        var image = First("og:image:secure_url", "og:image", "og:image:url", "twitter:image", "twitter:image:src");
        Uri? imageUrl = null;
        if (image is not null && Uri.TryCreate(pageUrl, image.Trim(), out var resolved) && LinkUrls.IsWebAddress(resolved))
            imageUrl = resolved;
        return new PageMetadata(
            Clean(First("og:site_name", "application-name"), SiteNameMaxLength),
            Clean(First("og:title", "twitter:title") ?? document.Title, TitleMaxLength),
            Clean(First("og:description", "twitter:description", "description"), DescriptionMaxLength),
            imageUrl,
            string.Equals(First("twitter:card")?.Trim(), "summary_large_image", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>One line of plain text: whitespace runs made one space, controls and bidi overrides dropped, cut at a word with "…".</summary>
    internal static string? Clean(string? text, int maxLength)
    {
        if (text is null)
            return null;
        var builder = new StringBuilder(Math.Min(text.Length, maxLength + 1));
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }
            // Controls (no place in a line) and bidi embeddings, overrides and isolates (they can make a title read backwards).
            if (char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\uFEFF')
                continue;
            if (space)
                builder.Append(' ');
            space = false;
            builder.Append(c);
            if (builder.Length > maxLength)
                break;
        }
        if (builder.Length == 0)
            return null;
        if (builder.Length <= maxLength)
            return SafeText.IsAllowed(builder.ToString()) ? builder.ToString() : null;
        var cut = maxLength - 1;
        var lastSpace = builder.ToString(0, cut).LastIndexOf(' ');
        if (lastSpace > maxLength / 2)
            cut = lastSpace;
        if (char.IsHighSurrogate(builder[cut - 1]))
            cut--;
        var result = builder.ToString(0, cut).TrimEnd() + "…";
        return SafeText.IsAllowed(result) ? result : null;
    }
}
