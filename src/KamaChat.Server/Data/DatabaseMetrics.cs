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

    /// <summary>Statements sent in a command EF Core did not make (several in one round trip): one count each.</summary>
    public void Sent(int statements) => _commands.Add(statements);

    // EF Core makes a DbCommand for every execution (query, SaveChanges batch, ExecuteUpdate, raw SQL): one count each;
    // not again for a query batch's commands while its results are read back (they were counted as they were recorded).
    public override DbCommand CommandCreated(CommandEndEventData eventData, DbCommand result)
    {
        if (!QueryBatch.Replaying)
            _commands.Add(1);
        return result;
    }
}
