using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace KamaChat.Server.Data;

/// <summary>
/// Prepares on PostgreSQL the commands tagged <see cref="Tag"/> (<c>.TagWith(PreparedStatements.Tag)</c>, or
/// <see cref="PrepareAsync"/> for a command EF Core did not make): a server-side prepared statement that Npgsql keeps
/// for the life of the physical connection, across its returns to the pool, so PostgreSQL parses and plans the SQL
/// once per connection instead of on every execution. Only for the few hot commands whose text never changes (a
/// history page's rows and parts) and whose plan does not depend on their parameters: not Npgsql's automatic
/// preparation of everything, which would also give the search's queries generic plans PostgreSQL chooses after five
/// runs without looking at the pattern searched for. On SQLite the same tag is served by <see cref="SqlitePreparedStatements"/>.
/// </summary>
/// <remarks>
/// Registered only when <c>KAMACHAT_DB_PREPARE</c> is on (the default): behind PgBouncer in transaction mode before
/// 1.21 (or without <c>max_prepared_statements</c>) a prepared statement lives on a server connection the next
/// transaction may not get, so there it is turned off. After a connection is lost (a restart, a failover) Npgsql
/// starts the new one with nothing prepared and prepares again on first use.
/// </remarks>
public sealed class PreparedStatements : DbCommandInterceptor
{
    public const string Tag = "prepared";

    private const string Marker = "-- " + Tag;

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        if (!result.HasResult && IsTagged(command))
            command.Prepare();
        return result;
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        // Not a command another interceptor answers instead (a query batch's): it does not go out.
        if (!result.HasResult && IsTagged(command))
            await PrepareAsync(command, cancellationToken);
        return result;
    }

    // EF Core writes a tag as the command's first line: "-- prepared".
    internal static bool IsTagged(DbCommand command) =>
        command.CommandText is var text && text.StartsWith(Marker, StringComparison.Ordinal) && text.Length > Marker.Length && text[Marker.Length] is '\r' or '\n';

    /// <summary>Prepares the command (no round trip when its statements are already prepared on this connection).</summary>
    public static Task PrepareAsync(DbCommand command, CancellationToken cancellationToken) => command.PrepareAsync(cancellationToken);

    /// <summary>
    /// Executes a hot read EF Core did not make (its text one of a few, its values in parameters) as a prepared
    /// statement, when the context whose <paramref name="interceptors"/> these are prepares its tagged commands: prepared
    /// on PostgreSQL's connection, or run on SQLite's statement prepared once (<see cref="SqlitePreparedStatements"/>).
    /// <paramref name="open"/> opens the context's connection; it is called only when the command runs there, not on a
    /// SQLite read connection.
    /// </summary>
    public static async Task<DbDataReader> ExecuteReaderAsync(CommandInterceptors interceptors, DbCommand command, Func<CancellationToken, Task> open, CancellationToken cancellationToken)
    {
        if (interceptors.SqlitePrepared?.TryExecute(command) is { } reader)
            return reader;
        await open(cancellationToken);
        if (interceptors.Prepares)
            await PrepareAsync(command, cancellationToken);
        return await command.ExecuteReaderAsync(cancellationToken);
    }
}
