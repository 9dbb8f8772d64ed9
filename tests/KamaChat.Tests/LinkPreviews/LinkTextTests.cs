using System.Text;
using KamaChat.Server.Features.LinkPreviews;

namespace KamaChat.Tests.LinkPreviews;

public sealed class LinkTextTests
{
    [Theory]
    [InlineData("see https://example.com/a.", "https://example.com/a")]
    [InlineData("(https://example.com/wiki/Foo_(bar))", "https://example.com/wiki/Foo_(bar)")]
    [InlineData("(https://example.com/x)", "https://example.com/x")]
    [InlineData("HTTP://EXAMPLE.com/", "http://example.com/")]
    [InlineData("https://example.com/a?b=1&c=2, then", "https://example.com/a?b=1&c=2")]
    [InlineData("`https://example.com/code` https://example.com/real", "https://example.com/real")]
    [InlineData("``a ` https://example.com/code`` https://example.com/real", "https://example.com/real")]
    [InlineData("```\nhttps://example.com/block\n``` https://example.com/real", "https://example.com/real")]
    [InlineData("<https://example.com/quiet> https://example.com/real", "https://example.com/real")]
    public void The_first_link_written_plainly_is_found(string content, string expected) =>
        Assert.Equal(expected, LinkUrls.Extract(content).First().AbsoluteUri);

    [Theory]
    [InlineData("no links here")]
    [InlineData("ftp://example.com/file javascript:alert(1) file:///etc/passwd")]
    [InlineData("https://user:secret@example.com/")]
    [InlineData("<https://example.com/quiet>")]
    [InlineData("`https://example.com/code`")]
    public void Nothing_to_preview(string content) => Assert.Empty(LinkUrls.Extract(content));

    [Fact]
    public void A_page_is_read_as_text_whatever_it_holds()
    {
        var html = """
            <html><head>
            <title>Ignored &amp; unused</title>
            <meta name="twitter:title" content="Twitter &quot;title&quot;">
            <meta name="twitter:description" content="Line one
            line&#10;two &#x202E;reversed&#x202C; <script>alert(1)</script>">
            <meta name="twitter:image" content="https://cdn.example.com/p.png">
            </head></html>
            """;
        var page = PageMetadata.Parse(Encoding.UTF8.GetBytes(html), null, new Uri("https://example.com/post"));

        Assert.Equal("Twitter \"title\"", page.Title);
        Assert.Equal("Line one line two reversed <script>alert(1)</script>", page.Description);
        Assert.Null(page.SiteName);
        Assert.Equal(new Uri("https://cdn.example.com/p.png"), page.Image);
        Assert.False(page.LargeImage);
    }

    [Fact]
    public void A_picture_is_resolved_against_the_page_and_asked_large_by_twitter_card()
    {
        var html = """
            <html><head><meta property="og:title" content="T"><meta property="og:image" content="../img/cover.jpg">
            <meta name="twitter:card" content=" Summary_Large_Image "></head></html>
            """;
        var page = PageMetadata.Parse(Encoding.UTF8.GetBytes(html), null, new Uri("https://example.com/posts/1"));
        Assert.Equal(new Uri("https://example.com/img/cover.jpg"), page.Image);
        Assert.True(page.LargeImage);

        var data = PageMetadata.Parse("<meta property=og:title content=T><meta property=og:image content='data:image/png;base64,AAAA'>"u8.ToArray(), null,
            new Uri("https://example.com/"));
        Assert.Null(data.Image); // only a web address is fetched
    }

    [Fact]
    public void Long_text_is_cut_at_a_word_and_never_inside_a_character()
    {
        var words = string.Concat(Enumerable.Repeat("word ", 100));
        var cut = PageMetadata.Clean(words, 50)!;
        Assert.Equal(string.Concat(Enumerable.Repeat("word ", 9)).TrimEnd() + "…", cut);

        var emoji = string.Concat(Enumerable.Repeat("😀", 40));
        var cutEmoji = PageMetadata.Clean(emoji, 25)!;
        Assert.True(cutEmoji.Length <= 25);
        Assert.False(char.IsHighSurrogate(cutEmoji[^2]));
        Assert.Null(PageMetadata.Clean(" \n\t ", 10));
    }
}
