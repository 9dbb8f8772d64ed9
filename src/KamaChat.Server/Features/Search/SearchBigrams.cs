using System.Text;

namespace KamaChat.Server.Features.Search;

/// <summary>
/// Two-character terms in scripts written without spaces have no trigram; both databases keep a bigram index for them
/// (SQLite: the FTS5 index <c>message_bigrams_fts</c>, PostgreSQL: a GIN index over <c>kamachat_search_bigrams</c>), holding
/// each pair of adjacent characters where both are in these ranges. The MessageSearchBigrams migrations spell the same
/// ranges in SQL: change them together.
/// </summary>
internal static class SearchBigrams
{
    /// <summary>
    /// Hiragana and Katakana (not the combining sound marks U+3099–309A, which folding removes), CJK Extension A, CJK
    /// Unified Ideographs, Hangul syllables, CJK compatibility ideographs. Not Thai or Lao: their vowel and tone marks
    /// fold away in queries but not in the stored text, so a pair of them would not meet.
    /// </summary>
    public static bool IsIndexed(Rune rune) => rune.Value is
        (>= 0x3040 and <= 0x3098) or (>= 0x309B and <= 0x30FF) or (>= 0x3400 and <= 0x4DBF) or
        (>= 0x4E00 and <= 0x9FFF) or (>= 0xAC00 and <= 0xD7AF) or (>= 0xF900 and <= 0xFAFF);

    /// <summary>
    /// PostgreSQL: a pair of those characters, as a regular expression. The bigram index holds the messages that match it
    /// (its predicate, SearchBigramIndexRegexPredicate); a search reads the index only when its condition carries this
    /// very text, so that PostgreSQL can see the predicate holds.
    /// </summary>
    public const string PostgresPairPattern =
        @"[\u3040-\u3098\u309B-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF][\u3040-\u3098\u309B-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF]";

    /// <summary>The folded term itself when it is two characters the bigram index holds; else null.</summary>
    public static string? Of(string folded)
    {
        var runes = folded.EnumerateRunes().ToList();
        return runes.Count == 2 && runes.TrueForAll(IsIndexed) ? folded : null;
    }
}
