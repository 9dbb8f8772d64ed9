namespace KamaChat.Server.Features.Search;

/// <summary>A highlighted match in a message's content: UTF-16 offsets into the content exactly as sent, not HTML.</summary>
public sealed record HighlightRange(int Start, int Length);

/// <summary>
/// Checks a message's content against a query's words and phrases in memory (the same folding as the indexes),
/// finds the ranges to highlight, and scores a match for relevance.
/// </summary>
public sealed class SearchMatcher
{
    private readonly string[] _include;
    private readonly string[] _exclude;
    private readonly string[] _anyOf;

    public SearchMatcher(SearchQuery query)
    {
        _anyOf = query.Has.HasFlag(SearchHas.Link) ? SearchText.Links.Select(t => t.Folded).ToArray() : [];
        _include = query.Include.Select(t => t.Folded).Where(t => t.Length > 0).Distinct().ToArray();
        _exclude = query.Exclude.Select(t => t.Folded).Where(t => t.Length > 0).Distinct().ToArray();
    }

    public bool Matches(string content)
    {
        var folded = FoldedText.Fold(content);
        return _include.All(t => folded.Contains(t, StringComparison.Ordinal)) && !_exclude.Any(t => folded.Contains(t, StringComparison.Ordinal)) &&
            (_anyOf.Length == 0 || _anyOf.Any(t => folded.Contains(t, StringComparison.Ordinal)));
    }

    /// <summary>Every occurrence of every included word and phrase, overlapping ones merged, in content order.</summary>
    public IReadOnlyList<HighlightRange> Highlights(string content)
    {
        if (_include.Length == 0)
            return [];
        var folded = FoldedText.Of(content);
        var ranges = new List<(int Start, int End)>();
        foreach (var term in _include)
        {
            for (var at = folded.Text.IndexOf(term, StringComparison.Ordinal); at >= 0; at = folded.Text.IndexOf(term, at + term.Length, StringComparison.Ordinal))
            {
                var (start, length) = folded.Original(at, term.Length);
                ranges.Add((start, start + length));
            }
        }
        ranges.Sort();
        var merged = new List<HighlightRange>();
        var (currentStart, currentEnd) = (-1, -1);
        foreach (var (start, end) in ranges)
        {
            if (start <= currentEnd)
            {
                currentEnd = Math.Max(currentEnd, end);
                continue;
            }
            if (currentStart >= 0)
                merged.Add(new HighlightRange(currentStart, currentEnd - currentStart));
            (currentStart, currentEnd) = (start, end);
        }
        if (currentStart >= 0)
            merged.Add(new HighlightRange(currentStart, currentEnd - currentStart));
        return merged;
    }

    /// <summary>
    /// How well the content matches, BM25-like: each word counts with diminishing returns per occurrence, a whole-word
    /// occurrence three times a mid-word one and the start of a word twice, and long messages a little less.
    /// </summary>
    public double Score(string content)
    {
        if (_include.Length == 0)
            return 0;
        var folded = FoldedText.Fold(content);
        var score = 0.0;
        foreach (var term in _include)
        {
            var weight = 0.0;
            for (var at = folded.IndexOf(term, StringComparison.Ordinal); at >= 0; at = folded.IndexOf(term, at + term.Length, StringComparison.Ordinal))
            {
                var startsWord = at == 0 || !char.IsLetterOrDigit(folded[at - 1]);
                var endsWord = at + term.Length == folded.Length || !char.IsLetterOrDigit(folded[at + term.Length]);
                weight += startsWord && endsWord ? 3 : startsWord ? 2 : 1;
            }
            score += weight / (weight + 1.2);
        }
        var lengthNorm = 0.75 + 0.25 * Math.Min(folded.Length, 2000) / 100.0;
        return score / Math.Sqrt(lengthNorm);
    }
}
