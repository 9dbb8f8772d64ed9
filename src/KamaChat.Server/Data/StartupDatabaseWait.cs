using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace KamaChat.Server.Data;

/// <summary>
/// Runs start-up's database work (migrations, the search index's catch-up) so that a lock another process holds (a
/// second node migrating, a backup, someone in the <c>sqlite3</c> shell) makes the node wait for it, not stop at the
/// first busy timeout: it says once what it waits for, tries again with backoff, and gives up with
/// <see cref="DatabaseLockedAtStartupException"/> after <see cref="DatabaseOptions.StartupLockWaitSeconds"/>.
/// </summary>
/// <remarks>
/// Only a lock is waited for. A database that cannot be reached or written fails at once, as before: it is not going to
/// free itself.
/// </remarks>
internal sealed class StartupDatabaseWait(IOptions<DatabaseOptions> database, TimeProvider time, ILogger<StartupDatabaseWait> logger)
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(5);

    /// <param name="what">What the work does, for the log and the error: "Applying migrations".</param>
    /// <param name="work">The work; each attempt runs it again from the start, so it must be safe to repeat.</param>
    public async Task RunAsync(string what, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        var bound = TimeSpan.FromSeconds(database.Value.StartupLockWaitSeconds);
        var started = time.GetTimestamp();
        var retry = FirstRetry;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await work(cancellationToken);
                if (attempt > 1)
                    logger.LogInformation("{What}: the database lock was free after {Waited:0.#} s; done", what, time.GetElapsedTime(started).TotalSeconds);
                return;
            }
            catch (Exception e) when (IsLockWait(e))
            {
                // One more attempt after saying so at least, however long the first took.
                var waited = time.GetElapsedTime(started);
                if (attempt > 1 && waited >= bound)
                    throw new DatabaseLockedAtStartupException(what, waited, e);
                if (attempt == 1)
                    logger.LogWarning("{What}: the database is locked by another process or connection ({Reason}); waiting for it, " +
                        "retrying with backoff for up to {Bound} s (KAMACHAT_DB_STARTUP_WAIT_SECONDS)", what, Reason(e), bound.TotalSeconds);
                await Task.Delay(TimeSpan.FromTicks(Math.Clamp((bound - waited).Ticks, 0, retry.Ticks)), time, cancellationToken);
                retry = retry * 2 < LongestRetry ? retry * 2 : LongestRetry;
            }
        }
    }

    /// <summary>
    /// PostgreSQL: the connection's lock waits end after the busy timeout (they would otherwise wait out the 30 s command
    /// timeout, which is not told apart from a slow statement). Undone by <see cref="Release"/>.
    /// </summary>
    public async Task BoundLockWaitsAsync(KamaDbContext db, CancellationToken cancellationToken)
    {
        if (database.Value.Provider != DatabaseProvider.Postgres)
            return;
        await db.Database.OpenConnectionAsync(cancellationToken);
        var milliseconds = database.Value.SqliteBusyTimeoutMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"SET lock_timeout = {milliseconds}";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Drops the pooled PostgreSQL connections, which are handed back without a reset
    /// (<see cref="DatabaseOptions.WithoutResetOnClose"/>): none keeps <see cref="BoundLockWaitsAsync"/>'s setting.
    /// </summary>
    public void Release()
    {
        if (database.Value.Provider == DatabaseProvider.Postgres)
            Infrastructure.Storage.StorageFailure.ClearPool(database.Value);
    }

    /// <summary>SQLite BUSY or LOCKED; PostgreSQL lock_not_available (the lock timeout) or deadlock_detected.</summary>
    internal static bool IsLockWait(Exception exception) =>
        DatabaseError(exception) is SqliteException { SqliteErrorCode: 5 or 6 } or PostgresException { SqlState: "55P03" or "40P01" };

    private static string Reason(Exception exception) => (DatabaseError(exception) ?? exception).Message;

    /// <summary>The database's own error in the chain (EF Core and Npgsql wrap it), if there is one.</summary>
    private static Exception? DatabaseError(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException or PostgresException)
                return e;
        }
        return null;
    }
}

/// <summary>Start-up's database work found the database locked by someone else for longer than it would wait.</summary>
public sealed class DatabaseLockedAtStartupException(string what, TimeSpan waited, Exception inner)
    : Exception($"{what}: the database stayed locked by another process or connection for {waited.TotalSeconds:0} s ({inner.Message})", inner)
{
    public string What { get; } = what;

    public TimeSpan Waited { get; } = waited;
}
