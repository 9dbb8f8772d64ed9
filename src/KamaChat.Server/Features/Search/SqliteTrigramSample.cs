using KamaChat.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Search;

/// <summary>
/// How common each trigram is on SQLite, from an in-memory sample of messages spread over the whole history: the
/// messages at the start of <see cref="Windows"/> evenly spaced stretches of ids (ids are times), folded as the index
/// folds them. Kept by the node and reloaded in the background (<see cref="TrigramSampleCache{TSample}"/>), so it costs a
/// search nothing.
/// <para>
/// A spread sample, because the newest messages can come in a burst: at 1,000,000 messages the search bench's
/// newest 1,200 were sent within seconds a day after the rest, and estimating from how far back (in ids) the newest
/// occurrences reach took every trigram in one message in ten or more (every one the burst held 128 times) for one in
/// every message, and the history for billions: the doclists of common trigrams looked too dear ever to narrow a phrase
/// with, and its exact phrase never cheaper than its candidates. Trigrams the sample holds too rarely to tell apart are
/// still probed in the index (<see cref="SqliteSearchEngine"/>), where their newest occurrences reach far back.
/// </para>
/// </summary>
internal sealed class SqliteTrigramSample : ITrigramSample
{
    /// <summary>How many stretches of the history the sample is taken from.</summary>
    public const int Windows = 16;

    /// <summary>How many messages the sample takes at the start of each stretch.</summary>
    public const int WindowRows = 256;

    /// <summary>For each trigram, how many sample rows hold it (and the last row counted, while loading).</summary>
    private readonly Dictionary<string, (int Rows, int Last)> _rows;

    private SqliteTrigramSample(Dictionary<string, (int Rows, int Last)> rows, int rowCount) =>
        (_rows, RowCount) = (rows, rowCount);

    /// <summary>No sample (the first load failed, or the node is stopping): every trigram is probed in the index.</summary>
    public static readonly SqliteTrigramSample Empty = new([], 0);

    /// <summary>How many messages the sample holds.</summary>
    public int RowCount { get; }

    public bool IsFull => RowCount >= Windows * WindowRows;

    /// <summary>How many sample rows hold <paramref name="trigram"/> (folded).</summary>
    public int Rows(string trigram) => _rows.GetValueOrDefault(trigram).Rows;

    /// <summary>Loads a sample of this database now; <see cref="TrigramSamples"/> keeps it.</summary>
    internal static async Task<SqliteTrigramSample> LoadAsync(KamaDbContext db, CancellationToken cancellationToken)
    {
        await using var command = await SearchEngine.CommandAsync(db, cancellationToken);
        // Apart: SQLite seeks to one end of the key only for a lone min() or max() (together they scanned every row,
        // 3,918 pages and about 100 ms at 1,000,000 messages).
        command.CommandText = """SELECT (SELECT min("Id") FROM messages), (SELECT max("Id") FROM messages)""";
        long oldest, newest;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            if (reader.IsDBNull(0))
                return Empty;
            (oldest, newest) = (reader.GetInt64(0), reader.GetInt64(1));
        }

        // Each stretch's first messages, never past the next stretch: a small history is read whole, once.
        var stretch = Math.Max(1, (newest - oldest) / Windows + 1);
        command.CommandText = string.Join("\nUNION ALL\n", Enumerable.Range(0, Windows).Select(i =>
        {
            var start = oldest + stretch * i;
            return $"""SELECT * FROM (SELECT "Content" FROM messages WHERE "Id" >= {start} AND "Id" < {start + stretch} ORDER BY "Id" LIMIT {WindowRows})""";
        }));
        // Counted without a string for every trigram read: each is a span of the row's text, three characters as the
        // tokenizer cuts them.
        var rows = new Dictionary<string, (int Rows, int Last)>(StringComparer.Ordinal);
        var lookup = rows.GetAlternateLookup<ReadOnlySpan<char>>();
        var starts = new List<int>();
        var count = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var text = FoldedText.Fold(reader.GetString(0));
                starts.Clear();
                for (var i = 0; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1)
                    starts.Add(i);
                starts.Add(text.Length);
                for (var i = 0; i + SearchEngine.TrigramLength < starts.Count; i++)
                {
                    var trigram = text.AsSpan(starts[i], starts[i + SearchEngine.TrigramLength] - starts[i]);
                    if (!lookup.TryGetValue(trigram, out var seen))
                        lookup[trigram] = (1, count);
                    else if (seen.Last != count)
                        lookup[trigram] = (seen.Rows + 1, count);
                }
                count++;
            }
        }
        return new SqliteTrigramSample(rows, count);
    }
}
