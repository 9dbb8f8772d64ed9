using KamaChat.Server.Data;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Migration = KamaChat.Server.Data.Migrations.Sqlite.SearchIndexedAfterCommit;

namespace KamaChat.Server.Features.Search;

/// <summary>
/// SQLite: indexes the messages sent since the last run into the search indexes from here, once a second, in one
/// transaction, instead of in each send's (migration SearchIndexedAfterCommit).
/// </summary>
/// <remarks>
/// A send's transaction used to run both FTS5 indexes' triggers: tokenize the message, write a new level-0 segment of
/// each index, and merge (<c>automerge</c>) some of the older ones into bigger ones. Now its trigger records the id in
/// <c>message_search_pending</c>, and this indexes what a second gathered as one segment per index. Nothing waits for
/// it: every search reads the pending messages beside the index (<see cref="SqliteSearchEngine"/>), so a message is
/// found the moment its send returns, indexed or not. A run indexes at most <see cref="ChunkRows"/> messages a
/// transaction, taking its turn at the node's one writer (<see cref="WriteGate"/>) between them, so a backlog (the node
/// was busy, or down with messages pending: start-up indexes them first) never holds the writer for long.
/// With <see cref="SearchOptions.SqliteIndexMilliseconds"/> 0 the node indexes in the send as before: start-up puts the
/// direct insert triggers back and indexes what is pending.
/// </remarks>
internal sealed class SqliteSearchIndexer(
    IOptions<DatabaseOptions> database, IOptions<SearchOptions> search, SqlitePragmas pragmas, WriteGate gate,
    StartupDatabaseWait wait, ILogger<SqliteSearchIndexer> logger) : BackgroundService
{
    /// <summary>
    /// Messages indexed per transaction at most: what one to two seconds of sends bring at the rates measured on two cores
    /// (1,000–1,500 a second), and 25–50 ms of the writer (0.012–0.026 ms a message measured, both indexes).
    /// </summary>
    public const int ChunkRows = 2000;

    private bool IsSqlite => database.Value.Provider == DatabaseProvider.Sqlite;

    private bool Deferred => IsSqlite && search.Value.SqliteIndexMilliseconds > 0;

    /// <summary>Before the node serves: the insert trigger the option asks for, and nothing left pending from before.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (IsSqlite)
            await wait.RunAsync("Indexing the messages sent before the node stopped for search", PrepareAsync, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        !Deferred
            ? Task.CompletedTask
            : PeriodicUpkeep.RunAsync(TimeSpan.FromMilliseconds(search.Value.SqliteIndexMilliseconds), IndexAsync,
                "Indexing sent messages for search", logger, stoppingToken);

    /// <summary>
    /// A clean stop indexes what the last tick left pending, after the sends have stopped (the web server stops before
    /// the hosted services), so the index is current when the node has stopped. Bounded by the host's shutdown timeout;
    /// what that, or a failing disk, leaves pending is indexed at the next start, as after a crash.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!Deferred)
            return;
        try
        {
            await IndexAsync(cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException || Infrastructure.Storage.StorageFailure.IsStorageFailure(e))
        {
            logger.LogWarning(e, "Indexing sent messages for search at stop did not finish; the next start indexes what is left");
        }
    }

    /// <summary>
    /// Swaps the insert trigger when the option asks for the other one (only then: a schema change makes every
    /// connection prepare its statements again), then indexes what is pending. A database without the pending table
    /// (not migrated, or without the search index) is left alone.
    /// </summary>
    internal async Task PrepareAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        if (!await ExistsAsync(connection, "table", Migration.PendingTable, cancellationToken))
            return;
        var direct = !Deferred;
        if (await ExistsAsync(connection, "trigger", Migration.PendingInsertTrigger, cancellationToken) == direct)
        {
            using (await gate.EnterAsync(cancellationToken))
            {
                await using var transaction = connection.BeginTransaction();
                await ExecuteAsync(connection, transaction, Migration.UseDirectInsert(direct, foldSharpS: true), null, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            logger.LogInformation("Search index written {When}", direct ? "in each send (Search:SqliteIndexMilliseconds 0)" : "after the sends, in bulk");
        }
        await IndexAsync(connection, cancellationToken);
    }

    /// <summary>Indexes every pending message, <see cref="ChunkRows"/> a transaction.</summary>
    /// <returns>How many were indexed.</returns>
    internal async Task<int> IndexAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await IndexAsync(connection, cancellationToken);
    }

    private async Task<int> IndexAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var total = 0;
        // Most ticks of a quiet node find nothing: looked at without taking the writer.
        while (await ExistsAsync(connection, cancellationToken))
        {
            long rows;
            using (await gate.EnterAsync(cancellationToken))
            {
                await using var transaction = connection.BeginTransaction();
                await using (var chunk = connection.CreateCommand())
                {
                    chunk.Transaction = transaction;
                    chunk.CommandText = $"""SELECT count(*), max("Id") FROM (SELECT "Id" FROM {Migration.PendingTable} ORDER BY "Id" LIMIT {ChunkRows})""";
                    await using var reader = await chunk.ExecuteReaderAsync(cancellationToken);
                    await reader.ReadAsync(cancellationToken);
                    rows = reader.GetInt64(0);
                    if (rows > 0)
                    {
                        var bound = reader.GetInt64(1);
                        await reader.DisposeAsync();
                        await ExecuteAsync(connection, transaction, Migration.IndexPending("@bound", foldSharpS: true), bound, cancellationToken);
                    }
                }
                await transaction.CommitAsync(cancellationToken);
            }
            total += (int)rows;
            if (rows < ChunkRows)
                break;
        }
        return total;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(database.Value.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        pragmas.Apply(connection);
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, long? bound, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        if (bound is { } value)
            command.Parameters.AddWithValue("@bound", value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Whether anything is pending.</summary>
    private static Task<bool> ExistsAsync(SqliteConnection connection, CancellationToken cancellationToken) =>
        AnyAsync(connection, $"SELECT EXISTS (SELECT 1 FROM {Migration.PendingTable})", [], cancellationToken);

    /// <summary>Whether the schema holds the table or trigger.</summary>
    private static Task<bool> ExistsAsync(SqliteConnection connection, string type, string name, CancellationToken cancellationToken) =>
        AnyAsync(connection, "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = @type AND name = @name)",
            [("@type", type), ("@name", name)], cancellationToken);

    private static async Task<bool> AnyAsync(SqliteConnection connection, string sql, (string Name, string Value)[] parameters, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) != 0;
    }
}
