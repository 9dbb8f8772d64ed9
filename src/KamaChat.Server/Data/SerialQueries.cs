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
        // EF Core writes each tag as a comment line at the top ("-- prepared", "-- serial"). The SET goes after those
        // lines, not before them: a tag that another interceptor reads on the first line (PreparedStatements) stays first.
        var text = command.CommandText;
        var header = 0;
        var tagged = false;
        while (text.AsSpan(header).StartsWith("-- ", StringComparison.Ordinal))
        {
            var end = text.IndexOf('\n', header);
            if (end < 0)
                return;
            tagged |= text.AsSpan(header, end - header).TrimEnd('\r').SequenceEqual(Marker);
            header = end + 1;
        }
        if (tagged)
            command.CommandText = string.Concat(text.AsSpan(0, header), Prefix, text.AsSpan(header), Suffix);
    }
}
