using System.Data.Common;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace KamaChat.Server.Data;

/// <summary>
/// Counts the SQL commands this node sends (every query, write and raw statement EF Core runs), for /metrics and the
/// bench's "queries per send": the number the cache exists to bring down.
/// </summary>
public sealed class DatabaseMetrics : DbCommandInterceptor
{
    public const string Name = "KamaChat.Data";

    private readonly Counter<long> _commands;

    public DatabaseMetrics(IMeterFactory meters) =>
        _commands = meters.Create(Name).CreateCounter<long>("kamachat.db.commands", "{command}", "SQL commands sent to the database.");

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        _commands.Add(1);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        _commands.Add(1);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        _commands.Add(1);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        _commands.Add(1);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        _commands.Add(1);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        _commands.Add(1);
        return ValueTask.FromResult(result);
    }
}
