using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace KamaChat.Server.Features.Search;

/// <summary>
/// PostgreSQL: merges the search indexes' GIN pending lists into the indexes from here, once a second, instead of in
/// the send whose insert takes a list past its limit.
/// </summary>
/// <remarks>
/// A send adds its message's trigrams (and CJK pairs) to the index's pending list, a cheap append; merging the list
/// into the index's posting trees was about half of what the index cost an insert (pgbench at 1,000,000 messages:
/// 0.64–0.80 ms of backend CPU with 128 kB lists merged by the inserts, 0.39–0.54 ms never merged). With a limit no
/// second of sends reaches (the <c>SearchPendingListsMergedInBackground</c> migration), a send only appends, and this
/// merges what a second gathered in one go on a connection of its own. Nothing waits for it: every search of the index
/// reads the pending list in full, so a message is found the moment its send returns, merged or not. The limit stays a
/// safety valve: if merging stops (this node is down, the database is slow), sends merge again when a list passes it.
/// Every node runs one; two merges of one index at once take turns on its metapage, and the second finds little.
/// <c>gin_clean_pending_list</c> is allowed to the index's owner: the role that ran the migrations, as the app's is.
/// </remarks>
internal sealed class PendingListMerger(IOptions<DatabaseOptions> database, IOptions<SearchOptions> search, ILogger<PendingListMerger> logger) : BackgroundService
{
    // Until a merge works again, the sends merge the lists themselves when one passes its limit.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        database.Value.Provider != DatabaseProvider.Postgres || search.Value.PendingListMergeMilliseconds == 0
            ? Task.CompletedTask
            : PeriodicUpkeep.RunAsync(TimeSpan.FromMilliseconds(search.Value.PendingListMergeMilliseconds),
                cancellationToken => MergeAsync(database.Value.ConnectionString, cancellationToken),
                "Merging the search indexes' pending lists", logger, stoppingToken);

    /// <summary>
    /// Merges both search indexes' pending lists; an index that does not exist (a database not migrated yet) is skipped.
    /// </summary>
    /// <returns>How many pending pages were merged.</returns>
    internal static async Task<long> MergeAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT coalesce(sum(pg_catalog.gin_clean_pending_list(i)), 0)::bigint
            FROM (VALUES (pg_catalog.to_regclass('"IX_messages_search_trigram"')), (pg_catalog.to_regclass('"IX_messages_search_bigram"'))) AS v(i)
            WHERE i IS NOT NULL
            """, connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
