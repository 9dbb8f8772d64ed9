using KamaChat.Server.Features.Search;

namespace KamaChat.Tests.Search;

/// <summary>
/// When SQLite's candidates prove imprecise, it goes on by the exact phrase only where that reads fewer pages; the
/// figures are the search bench's at 1,000,000 messages (a history spanning <see cref="History"/> ids).
/// </summary>
public sealed class SqlitePhraseCostTests
{
    private const long History = 1_000_000_000;

    [Fact]
    public void A_rare_word_of_common_syllables_goes_on_by_its_candidates()
    {
        // "corlenmorzu": 916 candidates in the whole history for 40 matches; its trigrams' doclists hold 1.5 million
        // entries ("cor", "len", "mor" alone over a million), about 10,000 pages against 1,800 for the candidates.
        Assert.False(SqliteSearchEngine.PhraseIsCheaper(read: 512, readSpan: History * 512 / 916, phraseEntries: 1_550_000, historySpan: History));
    }

    [Fact]
    public void Common_words_side_by_side_go_on_by_the_exact_phrase()
    {
        // A phrase of common words: 100,000 candidates, 2 million doclist entries (about 13,000 pages against 200,000).
        Assert.True(SqliteSearchEngine.PhraseIsCheaper(read: 512, readSpan: History * 512 / 100_000, phraseEntries: 2_000_000, historySpan: History));
    }

    [Fact]
    public void A_word_next_to_a_common_one_is_narrowed_by_the_trigram_across_the_space()
    {
        // "the trafen": its rarest trigrams are all in "trafen" (every occurrence a candidate, 13,000), and "e t", apart
        // from the rarest and in three messages in ten, costs about 2,000 pages to rule out 9,000 candidates. "tra", "fen"
        // and " tr" share a character with the rarest, "the" and "he " with "e t" once it is read.
        var counts = new Dictionary<string, double>
        {
            ["raf"] = 13_000, ["afe"] = 14_000, ["tra"] = 40_000, ["fen"] = 60_000, [" tr"] = 80_000,
            ["e t"] = 300_000, ["he "] = 500_000, ["the"] = 530_000,
        };
        var rarest = counts.OrderBy(c => c.Value).Select(c => c.Key).ToList();
        Assert.Equal(["e t"], SqliteSearchEngine.ElsewhereTrigrams("the trafen", rarest, counts, messages: 1_000_000));
    }

    [Theory]
    [InlineData(200, new string[0])]
    [InlineData(20_000, new[] { "he " })]
    public void A_common_trigram_apart_is_read_only_when_the_candidates_are_many(double rarest, string[] expected)
    {
        // "the zqvok", rarest "zqv": "he " is the first trigram sharing no character with it, in half the messages
        // (3,300 pages of doclist); it pays for 20,000 candidates (it rules out 10,000, 20,000 pages), not for 200. Once it
        // is read, "the" shares a character with it.
        var counts = new Dictionary<string, double>
        {
            ["zqv"] = rarest, ["qvo"] = rarest + 50, ["vok"] = rarest + 100, [" zq"] = 300_000, ["e z"] = 400_000, ["he "] = 500_000, ["the"] = 530_000,
        };
        var order = counts.OrderBy(c => c.Value).Select(c => c.Key).ToList();
        Assert.Equal(expected, SqliteSearchEngine.ElsewhereTrigrams("the zqvok", order, counts, messages: 1_000_000));
    }

    [Theory]
    [InlineData("thanks the", new[] { "the" })]
    [InlineData("vanzulendun the", new[] { "n t" })]
    [InlineData("the corvek", new[] { "orv" })]
    [InlineData("that more", new[] { "ore", "tha" })]
    public void In_a_phrase_the_trigram_read_with_the_rarest_reaches_into_another_word(string text, string[] expected)
    {
        // The sample's estimates at 1,000,000 messages. "tha" shares no character with "ks " but comes with it in every
        // "thanks" (reading them NEAR left every "thanks" a candidate), and "un " ends "vanzulendun" as "ule" is in it:
        // only a trigram reaching into "the" narrows. A rarest trigram across the space ("e c", "t m") holds one letter
        // of each word, which speaks for neither.
        var counts = new Dictionary<string, double>
        {
            ["ks "] = 5_378, ["nks"] = 6_355, ["ank"] = 34_710, ["s t"] = 98_751, ["tha"] = 195_058, ["han"] = 349_784,
            ["ule"] = 19_066, ["zul"] = 23_221, ["anz"] = 28_843, ["ndu"] = 74_063, ["nzu"] = 81_641, ["end"] = 86_529,
            ["un "] = 129_550, ["n t"] = 219_746, ["van"] = 316_542, ["dun"] = 320_697, ["len"] = 468_090,
            ["the"] = 518_199, [" th"] = 547_531,
            ["e c"] = 48_887, ["orv"] = 86_774, ["rve"] = 88_241, [" co"] = 144_949, ["vek"] = 326_808, ["cor"] = 344_651, ["he "] = 467_846,
            ["t m"] = 37_887, ["ore"] = 46_687, [" mo"] = 163_771, ["hat"] = 211_435, ["at "] = 263_988, ["mor"] = 350_273,
        };
        var rarest = counts.Where(c => text.Contains(c.Key, StringComparison.Ordinal)).OrderBy(c => c.Value).Select(c => c.Key).ToList();
        Assert.Equal(expected, SqliteSearchEngine.ElsewhereTrigrams(text, rarest, counts, messages: 1_000_000));
    }

    [Fact]
    public void The_two_trigrams_are_looked_up_as_close_as_in_the_text()
    {
        // "e t" starts at 2, "raf" at 5: two tokens between them, as in every message holding "the trafen".
        Assert.Equal("NEAR(\"e t\" \"raf\", 2)", SqliteSearchEngine.Near("the trafen", "raf", "e t"));
        // Of several occurrences, the closest pair: "ab " at 0 and 5, "cab" at 4.
        Assert.Equal("NEAR(\"cab\" \"ab \", 0)", SqliteSearchEngine.Near("ab  cab x", "ab ", "cab"));
    }

    [Theory]
    [InlineData(new byte[] { 0x05 }, 5)]
    [InlineData(new byte[] { 0x81, 0x00, 0x07 }, 128)]
    [InlineData(new byte[] { 0xBD, 0x84, 0x40, 0x8A, 0x01 }, 1_000_000)]
    public void The_message_count_is_the_first_varint_of_the_index_averages_record(byte[] record, long rows)
    {
        // The row count, then each column's token count: only the first is read.
        Assert.Equal(rows, SqliteSearchEngine.IndexedRows(record));
    }
}
