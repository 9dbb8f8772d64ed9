namespace KamaChat.Server.Data;

/// <summary>
/// Flat rows of a join folded back into their parents: queries read a parent and its children (a server's roles, a DM's
/// recipients) as one row per child, ordered by parent, because EF Core's collection shaper creates delegates on every
/// execution of a compiled query.
/// </summary>
internal static class ConsecutiveRows
{
    /// <summary>
    /// One <typeparamref name="TParent"/> per run of rows with the same <paramref name="key"/> (a parent's rows must be
    /// consecutive), made by <paramref name="start"/> from its first row; <paramref name="add"/> then takes each of its rows.
    /// </summary>
    public static async Task<List<TParent>> FoldAsync<TRow, TKey, TParent>(
        this IAsyncEnumerable<TRow> rows, Func<TRow, TKey> key, Func<TRow, TParent> start, Action<TParent, TRow> add, CancellationToken cancellationToken)
    {
        var parents = new List<TParent>();
        TKey? current = default;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            var rowKey = key(row);
            if (parents.Count == 0 || !EqualityComparer<TKey>.Default.Equals(rowKey, current))
            {
                parents.Add(start(row));
                current = rowKey;
            }
            add(parents[^1], row);
        }
        return parents;
    }
}
