using System.Globalization;
using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace KamaChat.Server.Infrastructure.Storage;

/// <summary>
/// Readiness of the database as writes see it, not just whether a SELECT answers: SQLite on a read-only or full disk
/// still reads. SQLite is probed with a real (harmless) committed write on a fresh connection; PostgreSQL with whether
/// the server accepts writes at all. A write failure seen by a request keeps the node unready until a probe succeeds.
/// </summary>
internal sealed class StorageHealthCheck(IOptions<DatabaseOptions> options, StorageHealth health, ILogger<StorageHealthCheck> logger) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var database = options.Value;
        try
        {
            var problem = database.Provider == DatabaseProvider.Sqlite
                ? await ProbeSqliteAsync(database, cancellationToken)
                : await ProbePostgresAsync(database, cancellationToken);
            if (problem is null)
            {
                // Storage is back: connections opened or first used while it failed go, not only the ones that failed
                // a write. SQLite opens a database or write-ahead log it may not write read-only for the handle's whole
                // life; such a handle, pooled by a read, failed the first write after recovery.
                if (database.Provider == DatabaseProvider.Sqlite && health.Succeeded())
                    StorageFailure.ClearPool(database);
                return health.FailedRecently
                    ? HealthCheckResult.Unhealthy("A write failed a moment ago.")
                    : HealthCheckResult.Healthy();
            }
            StorageFailure.ClearPool(database);
            return HealthCheckResult.Unhealthy(problem);
        }
        catch (Exception e) when (StorageFailure.IsStorageFailure(e))
        {
            logger.LogWarning(e, "The database cannot be written");
            health.Failed();
            StorageFailure.ClearPool(database);
            return HealthCheckResult.Unhealthy("The database cannot be written.", e);
        }
    }

    /// <summary>Rewrites the header's user_version with its own value: a page written and committed, nothing changed.</summary>
    private static async Task<string?> ProbeSqliteAsync(DatabaseOptions database, CancellationToken cancellationToken)
    {
        var builder = new SqliteConnectionStringBuilder(database.ConnectionString) { Pooling = false };
        await using var connection = new SqliteConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout = {database.SqliteBusyTimeoutMilliseconds.ToString(CultureInfo.InvariantCulture)}; BEGIN IMMEDIATE; PRAGMA user_version;";
        var version = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        command.CommandText = $"PRAGMA user_version = {version.ToString(CultureInfo.InvariantCulture)}; COMMIT;";
        await command.ExecuteNonQueryAsync(cancellationToken);
        return null;
    }

    private static async Task<string?> ProbePostgresAsync(DatabaseOptions database, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'", connection);
        return await command.ExecuteScalarAsync(cancellationToken) is true ? "The database accepts no writes (read-only or a standby)." : null;
    }
}
