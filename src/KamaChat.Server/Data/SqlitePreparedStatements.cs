using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace KamaChat.Server.Data;

/// <summary>
/// SQLite's counterpart of <see cref="PreparedStatements"/>: a command tagged <see cref="PreparedStatements.Tag"/> that
/// reads outside a transaction runs on a statement prepared once on one of a few long-lived read connections, not
/// parsed and planned again on every execution. Microsoft.Data.Sqlite keeps a command's prepared statements only as
/// long as that command and its connection (disposing either finalizes them), and EF Core makes a command per query
/// and closes the connection after it: preparing was ~38 % of a history page's CPU.
/// </summary>
/// <remarks>
/// <para>
/// A read connection is leased for one statement's execution, from the command's execution until its reader is
/// disposed, so no two requests ever use one at the same time, and it is back in the set before the next statement
/// of the same request: a connection is never held across a request's awaits on other work. Each holds no transaction
/// between statements (in WAL a read's snapshot ends when its reader is reset), so it never holds back a checkpoint or
/// sees older data than a new connection would.
/// </para>
/// <para>
/// The command EF Core made keeps its parameters; the cached command is given the same parameter objects for the one
/// execution and cleared when its reader is disposed. Microsoft.Data.Sqlite checks before each execution that every
/// parameter of every statement is bound, so a statement can never run with a value bound for a previous request.
/// </para>
/// <para>
/// When every read connection is in use, or the command is in a transaction (it must see that transaction's writes),
/// or its statement cannot be prepared here (it needs one of the functions EF Core registers on its own connections),
/// the command runs as before on the context's own connection. Writes never come here: nothing tagged writes, and
/// the group commit's commands are its own.
/// </para>
/// </remarks>
public sealed class SqlitePreparedStatements : DbCommandInterceptor, IDisposable
{
    /// <summary>
    /// Read connections at most: a lease lasts one statement, so more than the cores in use at once are rarely needed;
    /// each holds its own page cache (up to SQLite's default 2 MiB) and prepared statements.
    /// </summary>
    public const int MaxConnections = 8;

    /// <summary>
    /// Prepared statements kept per connection, the least recently used finalized beyond it: the tagged texts are a
    /// dozen or so, and each statement holds SQLite memory for its program.
    /// </summary>
    public const int MaxStatementsPerConnection = 32;

    private readonly string _connectionString;
    private readonly SqlitePragmas _pragmas;
    private readonly ConcurrentStack<ReadConnection> _idle = new();
    private readonly ConcurrentDictionary<string, bool> _unpreparable = new(StringComparer.Ordinal);
    private int _connections;
    private long _prepared;
    private long _reused;
    private volatile bool _disposed;

    internal SqlitePreparedStatements(string connectionString, SqlitePragmas pragmas) =>
        (_connectionString, _pragmas) = (connectionString, pragmas);

    /// <summary>Statements prepared on the read connections so far.</summary>
    public long Prepared => Interlocked.Read(ref _prepared);

    /// <summary>Executions that found their statement already prepared.</summary>
    public long Reused => Interlocked.Read(ref _reused);

    /// <summary>Read connections open now.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Whether SQLite can have more than one connection to this database (not a private in-memory one).</summary>
    public static bool CanShare(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        return builder.Mode != SqliteOpenMode.Memory && builder.DataSource is not ("" or ":memory:");
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        !result.HasResult && PreparedStatements.IsTagged(command) && TryExecute(command) is { } reader
            ? InterceptionResult<DbDataReader>.SuppressWithResult(reader)
            : result;

    // Microsoft.Data.Sqlite executes synchronously whatever the method called.
    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(ReaderExecuting(command, eventData, result));

    /// <summary>
    /// Runs <paramref name="command"/> (read-only SQL, its text and parameters set) on a prepared statement of a read
    /// connection; null when it must run as it is (see the remarks).
    /// </summary>
    public DbDataReader? TryExecute(DbCommand command)
    {
        if (_disposed || command.Transaction is not null || command is not SqliteCommand { Connection.ConnectionString: var connectionString }
            || connectionString != _connectionString || _unpreparable.ContainsKey(command.CommandText))
            return null;
        if (Lease() is not { } connection)
            return null;
        SqliteCommand? prepared = null;
        try
        {
            prepared = connection.Prepared(command.CommandText, out var reused);
            if (reused)
                Interlocked.Increment(ref _reused);
            else
                Interlocked.Increment(ref _prepared);
            foreach (SqliteParameter parameter in command.Parameters)
                prepared.Parameters.Add(parameter);
            return new LeasedReader(prepared.ExecuteReader(), prepared, connection, this);
        }
        catch (SqliteException) when (prepared is null)
        {
            // "no such function" and the like come from sqlite3_prepare: this text runs on EF Core's connection from now on.
            _unpreparable.TryAdd(command.CommandText, true);
            Return(connection);
            return null;
        }
        catch
        {
            // A statement that failed (busy, I/O) leaves the connection in a state nobody should inherit.
            prepared?.Parameters.Clear();
            Discard(connection);
            throw;
        }
    }

    private ReadConnection? Lease()
    {
        if (_idle.TryPop(out var idle))
            return idle;
        if (Interlocked.Increment(ref _connections) > MaxConnections)
        {
            Interlocked.Decrement(ref _connections);
            return null;
        }
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            _pragmas.Apply(connection);
            return new ReadConnection(connection);
        }
        catch (SqliteException)
        {
            connection.Dispose();
            Interlocked.Decrement(ref _connections);
            return null;
        }
    }

    private void Return(ReadConnection connection)
    {
        _idle.Push(connection);
        // Disposed meanwhile: nobody else will take it back out.
        if (_disposed && _idle.TryPop(out var late))
            Discard(late);
    }

    private void Discard(ReadConnection connection)
    {
        connection.Dispose();
        Interlocked.Decrement(ref _connections);
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryPop(out var connection))
            Discard(connection);
    }

    /// <summary>One long-lived connection and the statements prepared on it, keyed by their SQL text.</summary>
    private sealed class ReadConnection(SqliteConnection connection) : IDisposable
    {
        private readonly Dictionary<string, (SqliteCommand Command, long LastUsed)> _commands = new(StringComparer.Ordinal);
        private long _uses;

        public SqliteCommand Prepared(string sql, out bool reused)
        {
            _uses++;
            if (_commands.TryGetValue(sql, out var entry))
            {
                _commands[sql] = (entry.Command, _uses);
                reused = true;
                return entry.Command;
            }
            if (_commands.Count >= MaxStatementsPerConnection)
            {
                var oldest = _commands.MinBy(c => c.Value.LastUsed);
                oldest.Value.Command.Dispose();
                _commands.Remove(oldest.Key);
            }
            var command = connection.CreateCommand();
            command.CommandText = sql;
            try
            {
                command.Prepare();
            }
            catch
            {
                command.Dispose();
                throw;
            }
            _commands[sql] = (command, _uses);
            reused = false;
            return command;
        }

        public void Dispose() => connection.Dispose();
    }

    /// <summary>The prepared command's reader; disposing it resets the statements, clears the parameters and gives the connection back.</summary>
    private sealed class LeasedReader(SqliteDataReader reader, SqliteCommand command, ReadConnection connection, SqlitePreparedStatements owner)
        : DelegatingDataReader(reader)
    {
        private int _released;

        private void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
                return;
            try
            {
                reader.Dispose();
                command.Parameters.Clear();
            }
            catch
            {
                owner.Discard(connection);
                throw;
            }
            owner.Return(connection);
        }

        public override void Close() => Release();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                Release();
            base.Dispose(disposing);
        }

        public override bool IsClosed => _released != 0 || base.IsClosed;
    }
}
