using KamaChat.Server.Features.Search;

namespace KamaChat.Tests.Search;

public sealed class SearchMatcherTests
{
    private static SearchMatcher Matcher(string q) => new(SearchQueryParser.Parse(q).Query);

    [Fact]
    public void Highlights_are_ranges_into_the_original_content()
    {
        const string content = "🙂 Café CAFE cafétéria";
        var ranges = Matcher("cafe").Highlights(content);

        // UTF-16 offsets: the emoji is two units.
        Assert.Equal([new HighlightRange(3, 4), new HighlightRange(8, 4), new HighlightRange(13, 4)], ranges);
        Assert.Equal(["Café", "CAFE", "café"], ranges.Select(r => content.Substring(r.Start, r.Length)));
    }

    [Fact]
    public void A_decomposed_accent_belongs_to_its_letter()
    {
        const string content = "cafe\u0301 au lait";
        var range = Assert.Single(Matcher("café").Highlights(content));
        Assert.Equal("cafe\u0301", content.Substring(range.Start, range.Length));
    }

    [Fact]
    public void Overlapping_matches_merge()
    {
        Assert.Equal([new HighlightRange(0, 7)], Matcher("serv erver servers").Highlights("servers rock"));
    }

    [Fact]
    public void Matching_needs_every_word_and_no_excluded_one()
    {
        var matcher = Matcher("erver deplo -staging");
        Assert.True(matcher.Matches("Deployment of the servers"));
        Assert.False(matcher.Matches("Deployment of the servers to staging"));
        Assert.False(matcher.Matches("the servers"));
    }

    [Fact]
    public void A_whole_word_scores_above_part_of_a_word()
    {
        var matcher = Matcher("server");
        Assert.True(matcher.Score("the server is down") > matcher.Score("the webservers are down"));
        Assert.True(matcher.Score("server server server") > matcher.Score("server"));
    }
}
