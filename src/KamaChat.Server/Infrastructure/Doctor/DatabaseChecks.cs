using System.Globalization;
using KamaChat.Server.Data;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace KamaChat.Server.Infrastructure.Doctor;

/// <summary>The settings, validated exactly as start-up validates them: every options class registered with ValidateOnStart.</summary>
internal sealed class ConfigurationCheck(IServiceProvider services, IHostEnvironment environment, IOptions<ServerOptions> server) : IDoctorCheck
{
    public string Name => "configuration";

    public Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
            var node = server.Value;
            return Task.FromResult(CheckResult.Ok(string.Create(CultureInfo.InvariantCulture,
                $"{environment.EnvironmentName} settings are valid (node {node.NodeId}, data in {Path.GetFullPath(node.DataDirectory)})")));
        }
        catch (Exception e) when (StartupValidation.Failures(e) is { Count: > 0 } failures)
        {
            return Task.FromResult(CheckResult.Fail(string.Join(" ", failures), "set the variables named above (.env.example lists every one)"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // In development the signing key is created in the data directory while the settings are read.
            return Task.FromResult(CheckResult.Fail(Doctor.Brief(e), "make the data directory writable by this user, or set KAMACHAT_DATA_DIR"));
        }
    }
}

/// <summary>The database answers, and is one this node may write to.</summary>
internal sealed class DatabaseCheck(IOptions<DatabaseOptions> database) : IDoctorCheck
{
    public string Name => "database";

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var options = database.Value;
        if (options.Provider == DatabaseProvider.Sqlite)
            return await CheckSqliteAsync(options, cancellationToken);

        var target = DoctorDatabase.Postgres(options);
        try
        {
            await using var connection = new NpgsqlConnection(target.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection);
            if (await command.ExecuteScalarAsync(cancellationToken) is true)
                return CheckResult.Fail($"PostgreSQL at {target.Host}:{target.Port} is a read-only standby",
                    "point DATABASE_URL (or DB_HOST) at the primary server");
            // Off, PostgreSQL acknowledges a commit before its log is written: a crash then loses messages whose events
            // the nodes had already delivered, and their sequence numbers are handed out again.
            await using var durability = new NpgsqlCommand("SHOW synchronous_commit", connection);
            if (await durability.ExecuteScalarAsync(cancellationToken) is "off")
                return CheckResult.Warn($"PostgreSQL at {target.Host}:{target.Port} acknowledges commits before writing them (synchronous_commit = off): " +
                    "a crash loses messages clients were already shown",
                    $"ALTER DATABASE {target.Database} SET synchronous_commit = on; (or remove synchronous_commit = off from postgresql.conf)");
            return CheckResult.Ok($"PostgreSQL {connection.PostgreSqlVersion} at {target.Host}:{target.Port}, database {target.Database}");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidPassword)
        {
            return CheckResult.Fail($"PostgreSQL at {target.Host}:{target.Port} refused user '{target.Username}' ({Doctor.Brief(e)})",
                "correct the user and password in DATABASE_URL (or DB_USER, DB_PASSWORD)");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            return CheckResult.Fail($"PostgreSQL at {target.Host}:{target.Port} has no database '{target.Database}'",
                $"create it: sudo -u postgres createdb --owner {target.Username ?? "kamachat"} {target.Database}");
        }
        catch (NpgsqlException e)
        {
            return CheckResult.Fail($"cannot connect to PostgreSQL at {target.Host}:{target.Port} ({Doctor.Brief(e)})",
                $"start PostgreSQL or correct DATABASE_URL (or DB_HOST, DB_PORT, DB_NAME); test with: pg_isready -h {target.Host} -p {target.Port}");
        }
    }

    private static async Task<CheckResult> CheckSqliteAsync(DatabaseOptions options, CancellationToken cancellationToken)
    {
        var file = DoctorDatabase.SqliteFile(options);
        if (!File.Exists(file))
            return CheckResult.Ok($"SQLite: {file} does not exist yet; the first start creates it");
        try
        {
            // Read-only: doctor changes nothing, not even the journal mode.
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder(options.ConnectionString) { Mode = SqliteOpenMode.ReadOnly }.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA schema_version";
            await command.ExecuteScalarAsync(cancellationToken);
            return CheckResult.Ok($"SQLite {connection.ServerVersion} at {file}");
        }
        catch (SqliteException e)
        {
            return CheckResult.Fail($"cannot open SQLite at {file} ({Doctor.Brief(e)})",
                "make the file readable and writable by this user, or set DATABASE_URL or KAMACHAT_DATA_DIR");
        }
    }
}

/// <summary>Which migrations the database lacks (listed), and whether start-up will apply them.</summary>
internal sealed class MigrationsCheck(IOptions<DatabaseOptions> database, IOptions<ServerOptions> server) : IDoctorCheck
{
    public string Name => "migrations";

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var options = database.Value;
        await using var db = DoctorDatabase.Context(options);
        var known = db.Database.GetMigrations().ToList();
        List<string> applied;
        if (options.Provider == DatabaseProvider.Sqlite && !File.Exists(DoctorDatabase.SqliteFile(options)))
            applied = [];
        else
            try
            {
                applied = [.. await db.Database.GetAppliedMigrationsAsync(cancellationToken)];
            }
            catch (Exception e) when (StorageFailure.IsStorageFailure(e))
            {
                return CheckResult.Skip("not checked: the database cannot be reached (see database)");
            }

        var unknown = applied.Except(known).ToList();
        if (unknown.Count > 0)
            return CheckResult.Fail($"the database has {unknown.Count} migration(s) this version does not know ({string.Join(", ", unknown)}): a newer KamaChat upgraded it",
                "run the KamaChat version that applied them, or restore the backup taken before that upgrade");
        var pending = known.Except(applied).ToList();
        if (pending.Count == 0)
            return CheckResult.Ok(string.Create(CultureInfo.InvariantCulture, $"all {known.Count} migrations applied"));
        var list = string.Join(", ", pending);
        var count = string.Create(CultureInfo.InvariantCulture, $"{pending.Count} of {known.Count}");
        if (!server.Value.MigrateOnStart)
            return CheckResult.Fail($"{count} migrations pending, and KAMACHAT_MIGRATE=false keeps start-up from applying them: {list}",
                "apply them: start one node once with KAMACHAT_MIGRATE=true (the default)");
        return applied.Count == 0
            ? CheckResult.Ok($"a new database: the first start applies all {known.Count} migrations")
            : CheckResult.Warn($"{count} migrations pending; the next start applies them: {list}", "back up the database before starting the new version");
    }
}

/// <summary>
/// This machine's clock against the database server's. IDs are timestamps minted by every node, access tokens expire
/// by one node's clock and are checked by another's, TOTP codes live 30 seconds: nodes must agree on the time.
/// </summary>
internal sealed class ClockCheck(IOptions<DatabaseOptions> database, TimeProvider time) : IDoctorCheck
{
    public static readonly TimeSpan WarnFrom = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan FailFrom = TimeSpan.FromSeconds(5);

    private const string Fix = "synchronise this machine's and the database server's clocks with NTP: timedatectl set-ntp true (or install chrony)";

    public string Name => "clock";

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var options = database.Value;
        if (options.Provider == DatabaseProvider.Sqlite)
            return CheckResult.Skip("SQLite: the database lives on this machine and shares its clock");
        var (skew, uncertainty) = (TimeSpan.Zero, TimeSpan.MaxValue);
        try
        {
            await using var connection = new NpgsqlConnection(DoctorDatabase.Postgres(options).ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT clock_timestamp()", connection);
            // The sample with the shortest round trip pins the server's reading closest to the middle of it.
            for (var sample = 0; sample < 5; sample++)
            {
                var sent = time.GetUtcNow();
                var serverTime = (DateTime)(await command.ExecuteScalarAsync(cancellationToken))!;
                var received = time.GetUtcNow();
                var halfTrip = (received - sent) / 2;
                if (halfTrip >= uncertainty)
                    continue;
                uncertainty = halfTrip;
                skew = sent + halfTrip - new DateTimeOffset(serverTime, TimeSpan.Zero);
            }
        }
        catch (Exception e) when (StorageFailure.IsStorageFailure(e))
        {
            return CheckResult.Skip("not checked: the database cannot be reached (see database)");
        }

        var summary = string.Create(CultureInfo.InvariantCulture,
            $"this machine's clock is {Math.Abs(skew.TotalMilliseconds):0} ms {(skew < TimeSpan.Zero ? "behind" : "ahead of")} the database server's (± {uncertainty.TotalMilliseconds:0.#} ms)");
        var off = skew.Duration();
        return off >= FailFrom ? CheckResult.Fail(summary, Fix)
            : off >= WarnFrom ? CheckResult.Warn(summary, Fix)
            : CheckResult.Ok(summary);
    }
}

/// <summary>The node's database as doctor reaches it: the same settings, with short timeouts and no pooling.</summary>
internal static class DoctorDatabase
{
    public static NpgsqlConnectionStringBuilder Postgres(DatabaseOptions options) =>
        new(options.ConnectionString) { Timeout = 5, CommandTimeout = 10, Pooling = false };

    public static string SqliteFile(DatabaseOptions options) =>
        Path.GetFullPath(new SqliteConnectionStringBuilder(options.ConnectionString).DataSource);

    public static KamaDbContext Context(DatabaseOptions options) => options.Provider == DatabaseProvider.Postgres
        ? new PostgresKamaDbContext(new DbContextOptionsBuilder<PostgresKamaDbContext>().UseNpgsql(Postgres(options).ConnectionString).Options)
        : new SqliteKamaDbContext(new DbContextOptionsBuilder<SqliteKamaDbContext>().UseSqlite(options.ConnectionString).Options);
}
