using System.Text.RegularExpressions;

namespace KamaChat.Server.Features.LinkPreviews;

/// <summary>
/// The links of a message that get a preview: http(s) addresses written plainly, in the order written, each once, at
/// most <see cref="LinkPreviewOptions.MaxLinksPerMessage"/>. Links in code (spans and blocks) are text, not links; a
/// link written <c>&lt;https://…&gt;</c> asks for no preview (as on Discord).
/// </summary>
public static partial class LinkUrls
{
    public const int MaxUrlLength = 2048;

    public static List<Uri> Extract(string content)
    {
        var found = new List<Uri>();
        var text = Code().Replace(content, " ");
        foreach (Match match in Url().Matches(text))
        {
            if (match.Index > 0 && text[match.Index - 1] == '<')
            {
                var end = match.Index + match.Length;
                // <https://…> suppresses: the closing bracket ends the match, as the pattern stops at '<' and '>'.
                if (end < text.Length && text[end] == '>')
                    continue;
            }
            var url = TrimTrailing(match.Value);
            if (url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || !IsWebAddress(uri) || uri.AbsoluteUri.Length > MaxUrlLength)
                continue;
            if (found.Exists(u => u.AbsoluteUri == uri.AbsoluteUri))
                continue;
            found.Add(uri);
            if (found.Count == LinkPreviewOptions.MaxLinksPerMessage)
                break;
        }
        return found;
    }

    /// <summary>An address a preview may be fetched from: http or https, a host, no user name or password in it.</summary>
    public static bool IsWebAddress(Uri uri) =>
        uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0 && uri.UserInfo.Length == 0;

    /// <summary>Punctuation that ends a sentence is not part of the link; a closing parenthesis only when the link opened none.</summary>
    private static string TrimTrailing(string url)
    {
        while (url.Length > 0)
        {
            var last = url[^1];
            if (last is '.' or ',' or ':' or ';' or '!' or '?' or '"' or '\'' or '*' or '_' or '~')
                url = url[..^1];
            else if (last == ')' && url.Count(c => c == '(') < url.Count(c => c == ')'))
                url = url[..^1];
            else
                break;
        }
        return url;
    }

    // Fenced blocks first (``` … ```), then inline spans (` … ` or `` … ``): what the web client renders as code.
    [GeneratedRegex(@"```[\s\S]*?```|(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)")]
    private static partial Regex Code();

    [GeneratedRegex(@"https?://[^\s<>]+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();
}
