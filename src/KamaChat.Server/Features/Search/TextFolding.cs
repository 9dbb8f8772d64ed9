using System.Globalization;
using System.Text;

namespace KamaChat.Server.Features.Search;

/// <summary>
/// Case- and accent-insensitive text, as the search indexes see it (lower case, Latin diacritics removed: "Café" is
/// "cafe"), with a map from each folded character back to the original, so matches become highlight ranges into the
/// content the client shows.
/// </summary>
public readonly struct FoldedText
{
    private readonly int[] _starts;
    private readonly int[] _ends;

    private FoldedText(string text, int[] starts, int[] ends) => (Text, _starts, _ends) = (text, starts, ends);

    public string Text { get; }

    public static string Fold(string text) => Of(text).Text;

    public static FoldedText Of(string original)
    {
        var folded = new StringBuilder(original.Length);
        var starts = new List<int>(original.Length);
        var ends = new List<int>(original.Length);
        Span<char> buffer = stackalloc char[2];
        var position = 0;
        foreach (var rune in original.EnumerateRunes())
        {
            var width = rune.Utf16SequenceLength;
            var added = AppendFolded(folded, rune, buffer);
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

    private static int AppendFolded(StringBuilder folded, Rune rune, Span<char> buffer)
    {
        var before = folded.Length;
        if (rune.IsAscii)
        {
            folded.Append(char.ToLowerInvariant((char)rune.Value));
            return 1;
        }
        // Decompose and drop combining marks (é → e + ◌́ → e); characters without a decomposition stay as they are.
        var written = rune.EncodeToUtf16(buffer);
        var decomposed = new string(buffer[..written]).Normalize(NormalizationForm.FormD);
        foreach (var part in decomposed.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(part) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark)
                continue;
            var lower = Rune.ToLowerInvariant(part);
            folded.Append(lower.ToString());
        }
        if (folded.Length == before)
            // A lone combining mark: keep it rather than make the character vanish.
            folded.Append(rune.ToString());
        return folded.Length - before;
    }
}
