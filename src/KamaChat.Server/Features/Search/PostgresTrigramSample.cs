using KamaChat.Server.Data;

namespace KamaChat.Server.Features.Search;

/// <summary>
/// Which trigrams of a long word or phrase the PostgreSQL trigram index is asked for. A GIN scan reads the posting list of
/// every trigram of a LIKE pattern, and in this history most trigrams are common (every one of <c>corlenmorzu</c>'s nine
/// is in 4–47% of messages): at 1,000,000 messages a rare word's index scan read 370–430 pages on average, 74% of its
/// statement's time for the cheaper half of the bench's rare words, while its candidates cost about one heap page each.
/// A trigram is worth reading when what it costs (its posting list, about one page per <see cref="PostingsPerPage"/>
/// messages holding it) is less than the candidates it rules out; both are estimated from an in-memory sample of the
/// newest messages, kept and reloaded in the background by <see cref="TrigramSamples"/>, so choosing costs no round trip.
/// The choice changes only what is read: the whole text is still checked with LIKE on every candidate.
/// </summary>
internal sealed class PostgresTrigramSample : ITrigramSample
{
    /// <summary>How many of the newest messages the sample holds.</summary>
    public const int SampleRows = 5000;

    /// <summary>Messages a posting-list page holds (compressed item pointers), measured at 1,000,000 messages: about 3,100.</summary>
    private const double PostingsPerPage = 3000;

    /// <summary>
    /// What rechecking a candidate costs against reading an index page: its heap page, then LIKE on its text. Weighed as
    /// one page, the choice cut the buffers of the bench's rare words by 5% at 1,000,000 messages but raised their
    /// database CPU by 9% (median per query), phrases' fell by 31%: extra candidates cost more than the pages they saved.
    /// Measured while the recheck also ran the index's translate(). Since SearchTextSpacesAsStandIn made a recheck about
    /// half as dear, weights 1, 4 and 16 were replayed on one 1,000,000-message copy (the bench's 200 rare words and
    /// 200 phrases, twice each): the same totals and hit ids, and the same buffers within 0.02% (579,623–579,736 a
    /// replay, pg_stat_statements), so the weight hardly changes a choice; what the time varied by was load.
    /// </summary>
    private const double CandidateCost = 4;

    /// <summary>Pages read to find a trigram's posting list at all (the entry tree's levels).</summary>
    private const double PagesPerTrigram = 2;

    /// <summary>Always read at least this many trigrams (or all there are): a sample cannot tell rare ones apart.</summary>
    public const int MinimumTrigrams = 3;

    /// <summary>For each trigram, the sample rows (indexes, ascending) whose text holds it.</summary>
    private readonly Dictionary<string, List<int>> _rows;

    private readonly int _rowCount;

    private readonly double _messages;

    private PostgresTrigramSample(Dictionary<string, List<int>> rows, int rowCount, double messages) =>
        (_rows, _rowCount, _messages) = (rows, rowCount, messages);

    /// <summary>Whether the sample holds all it may: fewer rows means a small or new database, still growing.</summary>
    public bool IsFull => _rowCount >= SampleRows;

    /// <summary>Loads a sample of this database now (two statements, one round trip); <see cref="TrigramSamples"/> keeps it.</summary>
    internal static async Task<PostgresTrigramSample> LoadAsync(KamaDbContext db, CancellationToken cancellationToken)
    {
        await using var command = await SearchEngine.CommandAsync(db, statements: 2, cancellationToken);
        // The text exactly as the index sees it: folded, spaces stored as their stand-in.
        command.CommandText = $"""
            SELECT (SELECT reltuples FROM pg_catalog.pg_class WHERE oid = 'messages'::regclass)::float8;
            SELECT "SearchText" FROM messages ORDER BY "Id" DESC LIMIT {SampleRows};
            """;
        var rows = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var (count, messages) = (0, 0.0);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken) && !reader.IsDBNull(0))
                messages = reader.GetDouble(0);
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                foreach (var trigram in Trigrams(reader.GetString(0)))
                {
                    if (!rows.TryGetValue(trigram, out var list))
                        rows[trigram] = list = [];
                    if (list.Count == 0 || list[^1] != count)
                        list.Add(count);
                }
                count++;
            }
        }
        // reltuples is -1 before the first ANALYZE, and lags a fast-growing table.
        return new PostgresTrigramSample(rows, count, Math.Max(messages, count));
    }

    /// <summary>
    /// The trigrams to ask the index for, for <paramref name="folded"/> text, cut as the index cuts it (spaces read as
    /// <see cref="PostgresSearchEngine.SpaceStandIn"/>); null when all of them should be read (few trigrams, or the
    /// sample is empty). Only ASCII letters, digits and spaces: there the application's folding and the database's
    /// agree, so a trigram cut here is one the index holds.
    /// </summary>
    public List<string>? Select(string folded)
    {
        if (_rowCount == 0 || !folded.All(c => char.IsAsciiLetterOrDigit(c) || c == ' '))
            return null;
        var trigrams = Trigrams(Indexed(folded)).Distinct(StringComparer.Ordinal).ToList();
        if (trigrams.Count <= MinimumTrigrams)
            return null;
        var ordered = trigrams.OrderBy(t => Share(_rows.GetValueOrDefault(t)?.Count ?? 0)).ToList();
        var chosen = ordered.Take(MinimumTrigrams).ToList();
        var candidates = Intersect(chosen);
        var cost = Cost(chosen, candidates);
        foreach (var trigram in ordered.Skip(MinimumTrigrams))
        {
            var narrower = Intersect([.. chosen, trigram]);
            var costWith = Cost([.. chosen, trigram], narrower);
            if (costWith >= cost)
                continue;
            (chosen, candidates, cost) = ([.. chosen, trigram], narrower, costWith);
        }
        return chosen.Count == trigrams.Count ? null : chosen;
    }

    /// <summary>
    /// The LIKE pattern (on the index's text, spaces read as their stand-in) that asks the index for the chosen trigrams
    /// of <paramref name="folded"/>, or null for all of them: the parts of the text they cover, in order, overlapping ones
    /// joined ('%enmo%rzu%' for enm, nmo and rzu of corlenmorzu). Any text holding the whole text matches it, and pg_trgm
    /// keys it by those trigrams alone. One pattern, not one condition per trigram: each condition is rechecked on every
    /// candidate (three to six times the recheck's CPU, measured on the bench's rare words while each also computed the
    /// index's translate()).
    /// </summary>
    public string? IndexPattern(string folded)
    {
        if (Select(folded) is not { } chosen)
            return null;
        var indexedText = Indexed(folded);
        var starts = chosen.Select(t => indexedText.IndexOf(t, StringComparison.Ordinal)).Order().ToList();
        var parts = new List<(int Start, int End)>();
        foreach (var start in starts)
        {
            if (parts.Count > 0 && start < parts[^1].End)
                parts[^1] = (parts[^1].Start, start + 3);
            else
                parts.Add((start, start + 3));
        }
        return "%" + string.Join("%", parts.Select(p => indexedText[p.Start..p.End])) + "%";
    }

    /// <summary>Estimated cost in pages: the chosen trigrams' posting lists, and the candidates to recheck.</summary>
    private double Cost(List<string> chosen, int candidateRows) =>
        chosen.Sum(t => PagesPerTrigram + Share(_rows.GetValueOrDefault(t)?.Count ?? 0) * _messages / PostingsPerPage)
        + Share(candidateRows) * _messages * CandidateCost;

    /// <summary>The share of messages, from rows of the sample; half a row when none, as the sample cannot see rarer.</summary>
    private double Share(int rows) => Math.Max(rows, 0.5) / _rowCount;

    /// <summary>How many sample rows hold all the trigrams.</summary>
    private int Intersect(List<string> trigrams)
    {
        var lists = trigrams.Select(t => _rows.GetValueOrDefault(t) ?? []).OrderBy(l => l.Count).ToList();
        return lists[0].Count(row => lists.Skip(1).All(l => l.BinarySearch(row) >= 0));
    }

    /// <summary>Folded text as the index reads it: its spaces as their stand-in.</summary>
    private static string Indexed(string folded) => folded.Replace(' ', PostgresSearchEngine.SpaceStandIn);

    /// <summary>
    /// Every run of three characters, as pg_trgm keys a LIKE pattern's inside (no padding), of ASCII letters and digits
    /// and the space's stand-in: the trigrams this sample can tell apart (others are left out of its counts).
    /// </summary>
    private static IEnumerable<string> Trigrams(string text)
    {
        static bool Keyed(char c) => char.IsAsciiLetterOrDigit(c) || c == PostgresSearchEngine.SpaceStandIn;
        for (var i = 0; i + 3 <= text.Length; i++)
        {
            if (Keyed(text[i]) && Keyed(text[i + 1]) && Keyed(text[i + 2]))
                yield return text.Substring(i, 3);
        }
    }
}
