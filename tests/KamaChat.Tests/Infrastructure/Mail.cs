using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using MimeKit;

namespace KamaChat.Tests.Infrastructure;

/// <summary>Reads the links out of the emails the app sent, as a user clicking them would.</summary>
public static partial class Mail
{
    /// <summary>The link to a web-client route in the message's plain-text part, and its query parameters.</summary>
    public static (Uri Link, Dictionary<string, string> Query) LinkTo(MimeMessage message, string route)
    {
        var text = message.TextBody ?? throw new InvalidOperationException("The message has no plain-text part.");
        var match = LinkPattern().Matches(text).Select(m => m.Value).FirstOrDefault(l => new Uri(l).AbsolutePath == "/" + route)
            ?? throw new InvalidOperationException($"No /{route} link in: {text}");
        var link = new Uri(match);
        // The HTML part must carry the same link.
        Assert.Contains(System.Net.WebUtility.HtmlEncode(link.AbsoluteUri), message.HtmlBody!, StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(link.Query).ToDictionary(p => p.Key, p => p.Value.ToString());
        return (link, query);
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex LinkPattern();
}
