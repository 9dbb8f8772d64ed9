using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace KamaChat.Server.Data;

/// <summary>
/// Runs a few EF Core queries in one round trip on PostgreSQL (<see cref="RunAsync{T}"/>): a gateway connect's reads,
/// which were a round trip each. The queries stay EF Core's (one definition, its SQL and its shaping, on both databases).
/// </summary>
/// <remarks>
/// The work runs twice. First the commands EF Core makes are recorded and answered with no rows; then they go to the
/// server as one <see cref="NpgsqlBatch"/> (one Sync: PostgreSQL runs them one after another, each with its own snapshot
/// under READ COMMITTED, so a statement sees everything committed before it started, as when each was its own round
/// trip); then the work runs again and each command, instead of going out, reads its own result set of that batch. So
/// the work must make the same commands whatever the rows (no query that depends on an earlier one's answer, no early
/// return on an empty result): a different command on the second run throws. On SQLite (in-process, no round trips) the
/// work just runs once.
/// </remarks>
public sealed class QueryBatch(bool prepare) : DbCommandInterceptor
{
    private static readonly AsyncLocal<Run?> Current = new();

    /// <summary>True while a batch's results are read back: the commands EF Core makes meanwhile are not sent (their statements went in the batch).</summary>
    public static bool Replaying => Current.Value is { Results: not null };

    private sealed class Run
    {
        public readonly List<NpgsqlBatchCommand> Recorded = [];
        public bool Prepare = true;
        public NpgsqlDataReader? Results;
        public int Replayed;
    }

    public static async Task<T> RunAsync<T>(DbContext db, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        if (!db.Database.IsNpgsql())
            return await work();
        var run = new Run();
        Current.Value = run;
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await work();
            await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection())
            {
                Transaction = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction(),
            };
            foreach (var command in run.Recorded)
                batch.BatchCommands.Add(command);
            // The same texts as the single commands (prepared on this connection by now): no round trip when they are.
            if (run.Prepare)
                await batch.PrepareAsync(cancellationToken);
            await using var results = await batch.ExecuteReaderAsync(cancellationToken);
            run.Results = results;
            var answer = await work();
            if (run.Replayed != run.Recorded.Count)
                throw new InvalidOperationException($"A query batch's work read {run.Replayed} of its {run.Recorded.Count} results: it made different commands the second time.");
            return answer;
        }
        finally
        {
            Current.Value = null;
            await db.Database.CloseConnectionAsync();
        }
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        Current.Value is not null ? throw new InvalidOperationException("A query batch's work must run its queries asynchronously.") : result;

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (Current.Value is not { } run)
            return result;
        if (run.Results is not { } results)
        {
            var recorded = new NpgsqlBatchCommand(command.CommandText);
            foreach (NpgsqlParameter parameter in command.Parameters)
                recorded.Parameters.Add(parameter.Clone());
            run.Recorded.Add(recorded);
            run.Prepare &= prepare && PreparedStatements.IsTagged(command);
            return InterceptionResult<DbDataReader>.SuppressWithResult(new DataTable().CreateDataReader());
        }
        if (run.Replayed >= run.Recorded.Count || run.Recorded[run.Replayed].CommandText != command.CommandText)
            throw new InvalidOperationException("A query batch's work made a command the second time that it did not make the first.");
        if (run.Replayed++ > 0)
            await results.NextResultAsync(cancellationToken);
        return InterceptionResult<DbDataReader>.SuppressWithResult(new ResultSet(results));
    }

    /// <summary>The batch reader's current result set, as a reader of its own: closing it leaves the batch's reader open for the next.</summary>
    private sealed class ResultSet(NpgsqlDataReader reader) : DelegatingDataReader(reader)
    {
        public override bool IsClosed => false;

        // One result set: the next belongs to the next command.
        public override bool NextResult() => false;
        public override Task<bool> NextResultAsync(CancellationToken cancellationToken) => Task.FromResult(false);

        public override void Close()
        {
        }

        // Disposing closes (DbDataReader's), which here does nothing.
        public override Task CloseAsync() => Task.CompletedTask;
    }
}
