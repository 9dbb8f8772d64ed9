using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace KamaChat.Server.Infrastructure.Configuration;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Which database this node uses, from the seed's DATABASE_URL or DB_* variables; SQLite in the data directory otherwise.</summary>
public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    public string ConnectionString { get; set; } = "";

    /// <summary>Set when the configuration could not be understood; start-up reports it.</summary>
    public string? Error { get; set; }

    /// <summary>
    /// How long a SQLite write waits for the file's write lock (KAMACHAT_SQLITE_BUSY_TIMEOUT_MS). Writers take turns in
    /// milliseconds; a lock held longer (a backup, someone in the sqlite3 shell) gets 503 with Retry-After, not a hang.
    /// </summary>
    public int SqliteBusyTimeoutMilliseconds { get; set; } = 10_000;

    /// <summary>
    /// How long start-up's database work (migrations, the search index's catch-up) waits, retrying, for a lock another
    /// process holds (a second node migrating, a backup) before the node gives up (KAMACHAT_DB_STARTUP_WAIT_SECONDS; see
    /// <see cref="Data.StartupDatabaseWait"/>).
    /// </summary>
    public int StartupLockWaitSeconds { get; set; } = 120;

    /// <summary>
    /// Whether a node prepares its hottest commands (KAMACHAT_DB_PREPARE, default on; see <see cref="Data.PreparedStatements"/>
    /// and, on SQLite, <see cref="Data.SqlitePreparedStatements"/>). Off behind a PgBouncer in transaction mode that does
    /// not track prepared statements.
    /// </summary>
    public bool PrepareStatements { get; set; } = true;

    public static void Bind(DatabaseOptions options, IConfiguration configuration, ServerOptions server)
    {
        var errors = new List<string>();
        options.PrepareStatements = BooleanSetting.ReadOnOff(configuration, "KAMACHAT_DB_PREPARE", options.PrepareStatements, errors);
        options.SqliteBusyTimeoutMilliseconds = WholeNumberSetting.Read(configuration, "KAMACHAT_SQLITE_BUSY_TIMEOUT_MS",
            options.SqliteBusyTimeoutMilliseconds, 1, int.MaxValue, "a whole number of milliseconds, 1 or more", errors);
        options.StartupLockWaitSeconds = WholeNumberSetting.Read(configuration, "KAMACHAT_DB_STARTUP_WAIT_SECONDS",
            options.StartupLockWaitSeconds, 0, int.MaxValue, "a whole number of seconds, 0 or more", errors);
        try
        {
            var url = configuration["DATABASE_URL"];
            if (!string.IsNullOrWhiteSpace(url))
            {
                (options.Provider, options.ConnectionString) = FromUrl(url.Trim(), options.SqliteBusyTimeoutMilliseconds);
            }
            else if (!string.IsNullOrWhiteSpace(configuration["DB_HOST"]))
            {
                var builder = new NpgsqlConnectionStringBuilder
                {
                    Host = configuration["DB_HOST"],
                    Port = WholeNumberSetting.Read(configuration, "DB_PORT", 5432, 1, 65_535, "a port number from 1 to 65535", errors),
                    Database = configuration["DB_NAME"] ?? "kamachat",
                    Username = configuration["DB_USER"],
                    Password = configuration["DB_PASSWORD"],
                };
                (options.Provider, options.ConnectionString) = (DatabaseProvider.Postgres, builder.ConnectionString);
            }
            else
            {
                var file = Path.GetFullPath(Path.Combine(server.DataDirectory, "kamachat.db"));
                (options.Provider, options.ConnectionString) = (DatabaseProvider.Sqlite, SqliteConnectionString(file, options.SqliteBusyTimeoutMilliseconds));
            }
            if (options.Provider == DatabaseProvider.Postgres)
                options.ConnectionString = WithoutResetOnClose(options.ConnectionString);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or UriFormatException)
        {
            errors.Add($"DATABASE_URL or DB_* could not be read: {e.Message}");
        }
        options.Error = errors.Count == 0 ? null : string.Join(" ", errors);
    }

    /// <summary>
    /// Every PostgreSQL pool of the node hands its connections back without Npgsql's reset. With prepared statements on
    /// a connection that reset is seven statements (<c>CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL;
    /// UNLISTEN *; SELECT pg_advisory_unlock_all(); DISCARD SEQUENCES; DISCARD TEMP</c>), without them <c>DISCARD ALL</c>,
    /// which also makes the process plan again what it had cached; either rides in front of the connection's next
    /// command. A gateway connect ran them once on top of the nine queries it needs. They clean up session state, and
    /// the node leaves none behind: no session <c>SET</c> outlives its command (<see cref="Data.SerialQueries"/> sets and
    /// resets in one command, and a failure aborts the implicit transaction, which undoes the <c>SET</c>; search's
    /// settings are <c>set_config(…, true)</c>, local to its transaction), no <c>LISTEN</c> (other nodes' commits
    /// arrive through Redis and the log), no advisory lock (migrations lock a table in their transaction), no cursor,
    /// temporary table, role change or sequence read. What Npgsql does on a return either way stays: a transaction
    /// left open is rolled back, so no lock or snapshot passes to the next user of the connection.
    /// </summary>
    internal static string WithoutResetOnClose(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true }.ConnectionString;

    /// <summary>Accepts postgres:// URLs (as Heroku-style hosts give them), Npgsql key=value strings, and sqlite: paths.</summary>
    internal static (DatabaseProvider, string) FromUrl(string url, int sqliteBusyTimeoutMilliseconds = 10_000)
    {
        if (url.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
            url.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            var uri = new Uri(url);
            var userInfo = uri.UserInfo.Split(':', 2);
            var builder = new NpgsqlConnectionStringBuilder
            {
                Host = uri.Host,
                Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
                Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } db ? db : "kamachat",
            };
            if (userInfo[0].Length > 0)
                builder.Username = Uri.UnescapeDataString(userInfo[0]);
            if (userInfo.Length > 1)
                builder.Password = Uri.UnescapeDataString(userInfo[1]);
            foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = pair.Split('=', 2);
                if (kv[0].Equals("sslmode", StringComparison.OrdinalIgnoreCase) && kv.Length == 2)
                    builder.SslMode = Enum.Parse<SslMode>(kv[1], ignoreCase: true);
            }
            return (DatabaseProvider.Postgres, builder.ConnectionString);
        }

        if (url.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = url["sqlite:".Length..];
            if (path.StartsWith("//", StringComparison.Ordinal))
                path = path[2..]; // sqlite:///absolute/path or sqlite://relative/path
            return (DatabaseProvider.Sqlite, SqliteConnectionString(Path.GetFullPath(path), sqliteBusyTimeoutMilliseconds));
        }

        if (url.Contains("Data Source=", StringComparison.OrdinalIgnoreCase))
            return (DatabaseProvider.Sqlite, new SqliteConnectionStringBuilder(url) { DefaultTimeout = Seconds(sqliteBusyTimeoutMilliseconds) }.ConnectionString);

        // Anything else is taken as an Npgsql key=value connection string; the builder rejects nonsense.
        return (DatabaseProvider.Postgres, new NpgsqlConnectionStringBuilder(url).ConnectionString);
    }

    // Microsoft.Data.Sqlite retries a busy statement until its command timeout (30 s unless told): the same bound as SQLite's own.
    private static string SqliteConnectionString(string file, int busyTimeoutMilliseconds) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = file, Cache = SqliteCacheMode.Private, Pooling = true, DefaultTimeout = Seconds(busyTimeoutMilliseconds),
        }.ConnectionString;

    private static int Seconds(int milliseconds) => Math.Max(1, (milliseconds + 999) / 1000);
}

internal sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options) =>
        options.Error is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.Error);
}
