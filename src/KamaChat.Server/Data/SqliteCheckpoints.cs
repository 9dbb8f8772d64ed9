using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Data;

/// <summary>
/// SQLite: copies the write-ahead log back into the database file from here, once a second, instead of inside a commit.
/// </summary>
/// <remarks>
/// By default SQLite checkpoints in the commit that takes the log past 1,000 pages: that commit copies them and syncs
/// both files (synchronous=NORMAL syncs only there) while it still holds the file's one write lock. A send writes ~14
/// pages (the message, its event, their indexes, the search index): at 200 sends a second the log was restarted 22
/// times in 8 s (gateway bench), and each time every send of every channel queued behind that commit (one commit lane
/// on SQLite): the commit stage's tail. The app's connections turn the automatic checkpoint off (<see cref="SqlitePragmas"/>); a
/// PASSIVE checkpoint on a connection of its own copies what no reader still needs without taking the write lock, so
/// commits go on while it syncs. What a crash may lose is unchanged: committed frames are in the log either way.
/// </remarks>
internal sealed class SqliteCheckpoints(IOptions<DatabaseOptions> database, ILogger<SqliteCheckpoints> logger) : BackgroundService
{
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    // Until a checkpoint works again the log only grows (reads still find every commit in it).
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        database.Value.Provider != DatabaseProvider.Sqlite
            ? Task.CompletedTask
            : PeriodicUpkeep.RunAsync(Interval, cancellationToken => CheckpointAsync(database.Value.ConnectionString, cancellationToken),
                "Checkpointing the SQLite log", logger, stoppingToken);

    /// <summary>One PASSIVE checkpoint: never waits for a reader or the writer, copies what it can.</summary>
    internal static async Task CheckpointAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
