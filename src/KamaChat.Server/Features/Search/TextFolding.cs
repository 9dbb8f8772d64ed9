using System.Globalization;
using System.Text;

namespace KamaChat.Server.Features.Search;

/// <summary>
/// Case- and accent-insensitive text, as the search indexes see it (lower case, Latin diacritics removed: "Café" is
/// "cafe"; 'ß' and 'ẞ' are "ss", as PostgreSQL's unaccent makes them and SQLite's trigram index is given them, so
/// "Straße", "strasse" and "STRAẞE" are one word), with a map from each folded character back to the original, so
/// matches become highlight ranges into the content the client shows.
/// </summary>
public readonly struct FoldedText
{
    private readonly int[] _starts;
    private readonly int[] _ends;

    private FoldedText(string text, int[] starts, int[] ends) => (Text, _starts, _ends) = (text, starts, ends);

    public string Text { get; }

    public static string Fold(string text)
    {
        // The hot path of every in-memory check: no offsets kept, and ASCII text (most chat) is only lower-cased.
        if (Ascii.IsValid(text))
            return text.ToLowerInvariant();
        var folded = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
            AppendFolded(folded, rune);
        return folded.ToString();
    }

    public static FoldedText Of(string original)
    {
        var folded = new StringBuilder(original.Length);
        var starts = new List<int>(original.Length);
        var ends = new List<int>(original.Length);
        var position = 0;
        foreach (var rune in original.EnumerateRunes())
        {
            var width = rune.Utf16SequenceLength;
            var added = AppendFolded(folded, rune);
            // A combining mark folds to nothing but belongs to the letter before it, in highlights too.
            if (added == 0 && ends.Count > 0)
                ends[^1] = position + width;
            for (var k = 0; k < added; k++)
            {
                starts.Add(position);
                ends.Add(position + width);
            }
            position += width;
        }
        return new FoldedText(folded.ToString(), [.. starts], [.. ends]);
    }

    /// <summary>The range of the original text that folded characters [start, start + length) came from.</summary>
    public (int Start, int Length) Original(int start, int length)
    {
        var from = _starts[start];
        return (from, _ends[start + length - 1] - from);
    }

    private static int AppendFolded(StringBuilder folded, Rune rune)
    {
        // One letter, two folded characters: both map back to it, so a highlight of "strasse" covers "Straße".
        if (rune.Value is 'ß' or 'ẞ')
        {
            folded.Append("ss");
            return 2;
        }
        if (rune.IsBmp && LatinDiacritics.BaseOf((char)rune.Value) is { } letter)
        {
            folded.Append(letter);
            return 1;
        }
        // Combining marks (a decomposed é is e + U+0301) fold away, like the accents of composed letters.
        if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark)
            return 0;
        var before = folded.Length;
        folded.Append(Rune.ToLowerInvariant(rune).ToString());
        return folded.Length - before;
    }
}
