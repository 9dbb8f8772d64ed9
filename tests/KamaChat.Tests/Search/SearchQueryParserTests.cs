using KamaChat.Server.Features.Search;
using KamaChat.Server.Infrastructure.Ids;

namespace KamaChat.Tests.Search;

public sealed class SearchQueryParserTests
{
    private static SearchQuery Parse(string q)
    {
        var result = SearchQueryParser.Parse(q);
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        return result.Query;
    }

    private static SearchText Word(string text) => new(text, IsPhrase: false);

    private static SearchText Phrase(string text) => new(text, IsPhrase: true);

    [Fact]
    public void Words_phrases_and_exclusions_are_separated()
    {
        var query = Parse("deploy  \"exact phrase\" -spam -\"not this\" server");

        Assert.Equal([Word("deploy"), Phrase("exact phrase"), Word("server")], query.Include);
        Assert.Equal([Word("spam"), Phrase("not this")], query.Exclude);
        Assert.False(query.HasFilters);
    }

    [Fact]
    public void Filters_are_read_case_insensitively_and_repeat()
    {
        var query = Parse("FROM:ada from:bob in:#general in:\"off topic\" mentions:@carol has:link HAS:image pinned:true hello");

        Assert.Equal(["ada", "bob"], query.FromUsernames);
        Assert.Equal(["general", "off topic"], query.InChannelNames);
        Assert.Equal(["carol"], query.MentionsUsernames);
        Assert.Equal(SearchHas.Link | SearchHas.Image, query.Has);
        Assert.True(query.Pinned);
        Assert.Equal([Word("hello")], query.Include);
    }

    [Fact]
    public void Dates_become_id_bounds_in_UTC_days()
    {
        var day = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

        var before = Parse("before:2026-11-01");
        Assert.Equal(SnowflakeGenerator.MinimumIdAt(day), before.BeforeId);
        Assert.Null(before.AfterId);

        var after = Parse("after:2026-11-01");
        Assert.Equal(new Snowflake(SnowflakeGenerator.MinimumIdAt(day.AddDays(1)).Value - 1), after.AfterId);

        var during = Parse("during:2026-11-01");
        Assert.Equal(new Snowflake(SnowflakeGenerator.MinimumIdAt(day).Value - 1), during.AfterId);
        Assert.Equal(SnowflakeGenerator.MinimumIdAt(day.AddDays(1)), during.BeforeId);

        // The tightest bound wins.
        Assert.Equal(SnowflakeGenerator.MinimumIdAt(day), Parse("before:2026-12-01 before:2026-11-01").BeforeId);
    }

    [Theory]
    [InlineData("has:sticker")]
    [InlineData("pinned:maybe")]
    [InlineData("before:yesterday")]
    [InlineData("during:2026-02-30")]
    public void Bad_filter_values_are_reported(string q)
    {
        var result = SearchQueryParser.Parse(q);
        Assert.False(result.IsValid);
        Assert.Single(result.Errors);
    }

    [Theory]
    [InlineData("foo:bar")]
    [InlineData("https://example.com/a")]
    [InlineData("from:")]
    [InlineData("10:30")]
    public void Unknown_keys_and_empty_values_are_plain_text(string q)
    {
        var query = Parse(q);
        Assert.Equal([Word(q)], query.Include);
        Assert.False(query.HasFilters);
    }

    [Fact]
    public void Negated_filters_are_excluded_text_not_filters()
    {
        var query = Parse("-from:ada hello");
        Assert.Empty(query.FromUsernames);
        Assert.Equal([Word("from:ada")], query.Exclude);
    }

    [Fact]
    public void Engine_syntax_is_ordinary_text()
    {
        var query = Parse("NEAR(a b) a* AND OR NOT ( ) ^x col:y \\ '");
        Assert.Equal(["NEAR(a", "b)", "a*", "AND", "OR", "NOT", "(", ")", "^x", "col:y", "\\", "'"], query.Include.Select(t => t.Text));
        Assert.DoesNotContain(query.Include, t => t.IsPhrase);
    }

    [Fact]
    public void An_unclosed_quote_runs_to_the_end()
    {
        Assert.Equal([Word("a"), Phrase("b c")], Parse("a \"b c").Include);
        Assert.Empty(Parse("\"").Include);
    }

    [Fact]
    public void Characters_no_message_holds_separate_words()
    {
        Assert.Equal(["a", "b"], Parse("a\0b").Include.Select(t => t.Text));
        Assert.Equal(["a", "b"], Parse("a\uD800b").Include.Select(t => t.Text));
        Assert.Equal(["a", "b"], Parse("a\uDC00\u0001b").Include.Select(t => t.Text));
        // A proper surrogate pair is a character like any other.
        Assert.Equal(["a🙂b"], Parse("a🙂b").Include.Select(t => t.Text));
        // A decomposed accent folds away like a composed one.
        Assert.Equal(["cafe"], Parse("cafe\u0301").Include.Select(t => t.Folded));
        Assert.Equal(["cafe"], Parse("CAFÉ").Include.Select(t => t.Folded));
        // Nothing but combining marks is nothing to search for.
        Assert.True(Parse("\u0301 \u0302").IsEmpty);
    }

    [Fact]
    public void Length_counts_characters_not_UTF16_units()
    {
        Assert.Equal(2, Word("🙂🙂").Length);
        Assert.Equal(2, Word("東京").Length);
    }

    [Fact]
    public void Limits_are_reported()
    {
        Assert.False(SearchQueryParser.Parse(new string('a', SearchQuery.MaxLength + 1)).IsValid);
        Assert.True(SearchQueryParser.Parse(new string('a', SearchQuery.MaxLength)).IsValid);
        Assert.False(SearchQueryParser.Parse(string.Join(' ', Enumerable.Range(0, SearchQuery.MaxTexts + 1).Select(i => "w" + i))).IsValid);
    }

    [Fact]
    public void An_empty_query_is_empty()
    {
        Assert.True(Parse("").IsEmpty);
        Assert.True(Parse("   ").IsEmpty);
        Assert.True(Parse("-spam").IsEmpty);
        Assert.False(Parse("from:ada").IsEmpty);
    }

    [Fact]
    public void Hostile_queries_never_throw_and_leave_no_unusable_characters()
    {
        foreach (var q in HostileQueries.All)
        {
            var result = SearchQueryParser.Parse(q);
            foreach (var text in result.Query.Include.Concat(result.Query.Exclude))
            {
                Assert.False(string.IsNullOrWhiteSpace(text.Text), $"empty text from {Escape(q)}");
                Assert.DoesNotContain(text.Text, c => char.IsControl(c) || c == '\uFFFF');
                for (var i = 0; i < text.Text.Length; i++)
                {
                    if (char.IsHighSurrogate(text.Text[i]))
                        Assert.True(i + 1 < text.Text.Length && char.IsLowSurrogate(text.Text[++i]), $"lone surrogate from {Escape(q)}");
                    else
                        Assert.False(char.IsLowSurrogate(text.Text[i]), $"lone surrogate from {Escape(q)}");
                }
            }
        }
    }

    private static string Escape(string q) => string.Concat(q.Take(40).Select(c => c < ' ' || char.IsSurrogate(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}
