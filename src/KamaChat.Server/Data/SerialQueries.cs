using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace KamaChat.Server.Data;

/// <summary>
/// Keeps PostgreSQL from starting parallel workers for a query tagged <see cref="Tag"/> (<c>.TagWith(SerialQueries.Tag)</c>):
/// a small query, run on every connect, whose tables are big. Once the message tables pass PostgreSQL's size thresholds
/// the planner chose a parallel plan for the mention counts, and starting its two workers cost ~100 ms of database CPU
/// per connect to save a few milliseconds of index lookups — the database's CPU per connect grew tenfold with history.
/// </summary>
/// <remarks>
/// The setting rides in the same command (one round trip, one command): <c>SET</c> before the query and <c>RESET</c>
/// after it. A pooled connection never keeps it: if the query fails, its transaction (the implicit one up to Npgsql's
/// Sync, or the caller's own) aborts, which undoes the SET. (<c>SET LOCAL</c> would need no RESET but warns outside an
/// explicit transaction, which the extended protocol's implicit one is not.)
/// </remarks>
public sealed class SerialQueries : DbCommandInterceptor
{
    public const string Tag = "serial";

    private const string Marker = "-- " + Tag;
    private const string Prefix = "SET max_parallel_workers_per_gather = 0;\n";
    private const string Suffix = ";\nRESET max_parallel_workers_per_gather;";

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Apply(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Apply(command);
        return ValueTask.FromResult(result);
    }

    private static void Apply(DbCommand command)
    {
        // EF Core writes a tag as the command's first line: "-- serial".
        var text = command.CommandText;
        if (text.StartsWith(Marker, StringComparison.Ordinal) && text.Length > Marker.Length && text[Marker.Length] is '\r' or '\n')
            command.CommandText = Prefix + text + Suffix;
    }
}
