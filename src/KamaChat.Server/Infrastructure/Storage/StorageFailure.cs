using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace KamaChat.Server.Infrastructure.Storage;

/// <summary>
/// Tells a failing database or disk (unreachable, read-only, full, locked, shutting down) apart from a bug: the first
/// is answered 503 with Retry-After and reported by /readyz, the second stays a 500.
/// </summary>
public static class StorageFailure
{
    public static bool IsStorageFailure(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsStorageFailure))
                return true;
            if (Describes(e))
                return true;
        }
        return false;
    }

    private static bool Describes(Exception e) => e switch
    {
        // BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL (a lock that could not be taken).
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6 or 8 or 10 or 13 or 14 or 15,
        PostgresException postgres => postgres.SqlState is ['0', '8', ..] or ['5', '3', ..] or ['5', '8', ..]
            or "57P01" or "57P02" or "57P03" or "25006",
        // Not a PostgresException: the connection itself failed (refused, reset, timed out).
        NpgsqlException => true,
        _ => false,
    };

    /// <summary>
    /// Drops this database's idle pooled connections: a SQLite connection opened while the file could not be written
    /// stays read-only for its whole life, and a PostgreSQL one may be dead or stuck on a read-only standby.
    /// </summary>
    public static void ClearPool(DatabaseOptions database)
    {
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            using var connection = new SqliteConnection(database.ConnectionString);
            SqliteConnection.ClearPool(connection);
        }
        else
        {
            // The send commits keep a pool of their own (SendGroupCommit), as dead after a restart as the shared one.
            foreach (var connectionString in new[] { database.ConnectionString, Features.Messages.SendGroupCommit.CommitConnectionString(database) })
            {
                using var connection = new NpgsqlConnection(connectionString);
                NpgsqlConnection.ClearPool(connection);
            }
        }
    }

    /// <summary>One line for the operator when the node cannot start on its storage; null for anything else.</summary>
    public static string? DescribeStartupFailure(Exception exception, ServerOptions server, DatabaseOptions database)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            var directory = Path.GetFullPath(server.DataDirectory);
            switch (e)
            {
                case AggregateException aggregate:
                    return aggregate.InnerExceptions.Select(i => DescribeStartupFailure(i, server, database)).FirstOrDefault(d => d is not null);
                // Only about the data directory: a port already taken is an IOException too, and says so itself.
                case IOException or UnauthorizedAccessException when e.Message.Contains(directory, StringComparison.Ordinal):
                    return $"the data directory {directory} cannot be written ({e.Message}). Make it writable by this user, or set KAMACHAT_DATA_DIR.";
                case Data.DatabaseLockedAtStartupException locked:
                    return $"{locked.Message}. Let the other process (a node migrating, a backup) finish, "
                        + "or set KAMACHAT_DB_STARTUP_WAIT_SECONDS to wait longer.";
                // BUSY or LOCKED outside start-up's wait (which reports its own): a lock, not a file that cannot be written.
                case SqliteException { SqliteErrorCode: 5 or 6 } sqlite:
                    return $"the SQLite database in {directory} is locked by another process or connection ({sqlite.Message}). "
                        + "Let it finish (a node migrating, a backup, a sqlite3 shell), or set KAMACHAT_SQLITE_BUSY_TIMEOUT_MS to wait longer.";
                case SqliteException sqlite when Describes(sqlite):
                    return $"the SQLite database in {directory} cannot be opened for writing ({sqlite.Message}). "
                        + "Make the data directory and its files writable by this user, or set KAMACHAT_DATA_DIR.";
                case NpgsqlException when Describes(e) && database.Provider == DatabaseProvider.Postgres:
                    return $"the PostgreSQL database is unavailable ({e.Message}). Check DATABASE_URL and that the server accepts connections.";
            }
        }
        return null;
    }
}

/// <summary>
/// What this node last saw of its storage: a failure is reported by /readyz until a write succeeds again, so a load
/// balancer stops sending traffic while storage fails and resumes without a restart once it recovers.
/// </summary>
public sealed class StorageHealth(TimeProvider time)
{
    /// <summary>After a failure, how long /readyz stays unready unless a write proves storage is back sooner.</summary>
    public static readonly TimeSpan FailureMemory = TimeSpan.FromSeconds(10);

    private long _lastFailureTicks;
    private long _lastSuccessTicks;

    public void Failed() => Interlocked.Exchange(ref _lastFailureTicks, time.GetUtcNow().UtcTicks);

    /// <summary>Notes a success.</summary>
    /// <returns>Whether it ends a failure: none was seen since the last success.</returns>
    public bool Succeeded() => Interlocked.Exchange(ref _lastSuccessTicks, time.GetUtcNow().UtcTicks) < Interlocked.Read(ref _lastFailureTicks);

    public bool FailedRecently
    {
        get
        {
            var failure = Interlocked.Read(ref _lastFailureTicks);
            return failure > Interlocked.Read(ref _lastSuccessTicks) && time.GetUtcNow().UtcTicks - failure < FailureMemory.Ticks;
        }
    }
}
