using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace KamaChat.Server.Data;

/// <summary>
/// The interceptors of a context that its hand-written commands use (<see cref="RawCommands"/>,
/// <see cref="PreparedStatements.ExecuteReaderAsync"/>), found in one walk of the context's list: a history page made its
/// command and ran it, and each walked the list again.
/// </summary>
public readonly record struct CommandInterceptors(DatabaseMetrics? Metrics, SqlitePreparedStatements? SqlitePrepared, bool Prepares)
{
    /// <summary>Those of <paramref name="db"/>'s options (none for a context made without them, as the bench's).</summary>
    public static CommandInterceptors Of(DbContext db)
    {
        var (metrics, sqlite, prepares) = ((DatabaseMetrics?)null, (SqlitePreparedStatements?)null, false);
        foreach (var interceptor in db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors ?? [])
        {
            switch (interceptor)
            {
                case DatabaseMetrics m:
                    metrics ??= m;
                    break;
                case SqlitePreparedStatements s:
                    sqlite ??= s;
                    break;
                case PreparedStatements:
                    prepares = true;
                    break;
            }
        }
        return new CommandInterceptors(metrics, sqlite, prepares);
    }
}
