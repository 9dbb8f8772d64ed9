using System.Globalization;
using System.Net;
using System.Net.Sockets;
using KamaChat.Server.Data;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Doctor;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KamaChat.Tests.Configuration;

/// <summary>
/// <c>KamaChat.Server doctor</c> against real running services (the test run's PostgreSQL, Redis, RabbitMQ, SMTP server
/// and a KamaChat node on a real socket) and stopped ones (loopback ports nothing listens on, a port another program holds).
/// </summary>
public sealed class DoctorTests(KestrelSqliteApp node) : IClassFixture<KestrelSqliteApp>
{
    private static readonly string[] EveryCheck =
        ["configuration", "database", "migrations", "text-folding", "clock", "redis", "rabbitmq", "smtp", "storage", "disk", "port", "public-url"];

    [Fact]
    public async Task With_every_configured_service_running_every_check_passes_and_doctor_exits_0()
    {
        var (rabbitHost, rabbitPort) = await RabbitMqServer.EndpointAsync();
        // A node that has served a request, as the node doctor finds in production: the in-process test server's very
        // first request (its code compiled just in time) can take seconds on a loaded machine, longer than doctor waits.
        using (var http = new HttpClient())
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(NodeAddress(), "healthz"))).StatusCode);
        var report = await DoctorRun.RunAsync(new()
        {
            ["NODE_ENV"] = "production",
            ["JWT_SECRET"] = DoctorRun.ProductionSecret,
            ["NODE_ID"] = "7",
            ["DATABASE_URL"] = await MigratedDatabaseAsync(),
            ["REDIS_URL"] = await RedisServer.UrlAsync(),
            ["HOST_RABBITMQ"] = rabbitHost,
            ["PORT_RABBITMQ"] = rabbitPort.ToString(CultureInfo.InvariantCulture),
            ["SMTP_URL"] = await SmtpServer.UrlAsync(),
            ["PUBLIC_URL"] = NodeAddress().ToString(),
            // The port this node would take is served by a KamaChat node already: doctor run next to a running server.
            ["PORT"] = NodeAddress().Port.ToString(CultureInfo.InvariantCulture),
        });

        foreach (var check in EveryCheck)
            report.Assert(check, "ok");
        Assert.Equal(0, report.ExitCode);
        Assert.Contains("Production settings are valid (node 7", report["configuration"].Summary, StringComparison.Ordinal);
        Assert.StartsWith("all ", report["migrations"].Summary, StringComparison.Ordinal);
        Assert.Contains("answers EHLO", report["smtp"].Summary, StringComparison.Ordinal);
        Assert.Contains("no mail was sent", report["smtp"].Summary, StringComparison.Ordinal);
        Assert.Contains("served by a running KamaChat node", report["port"].Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_every_configured_service_stopped_each_check_fails_naming_its_fix_and_doctor_exits_1()
    {
        // A program that is not KamaChat holds the port the node would listen on.
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var report = await DoctorRun.RunAsync(new()
        {
            ["NODE_ENV"] = "production",
            ["JWT_SECRET"] = DoctorRun.ProductionSecret,
            ["DATABASE_URL"] = $"postgres://kamachat:secret@127.0.0.1:{DeadPort()}/kamachat",
            ["REDIS_URL"] = $"redis://127.0.0.1:{DeadPort()}",
            ["HOST_RABBITMQ"] = "127.0.0.1",
            ["PORT_RABBITMQ"] = DeadPort(),
            ["SMTP_URL"] = $"smtp://127.0.0.1:{DeadPort()}",
            ["PUBLIC_URL"] = $"http://127.0.0.1:{DeadPort()}",
            ["PORT"] = ((IPEndPoint)squatter.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture),
        });

        Assert.Equal(1, report.ExitCode);
        report.Assert("configuration", "ok");
        foreach (var (check, variable) in new[]
                 {
                     ("database", "DATABASE_URL"), ("redis", "REDIS_URL"), ("rabbitmq", "HOST_RABBITMQ"), ("smtp", "SMTP_URL"),
                     ("port", "PORT"), ("public-url", "PUBLIC_URL"),
                 })
            Assert.Contains(variable, report.Assert(check, "fail").Fix, StringComparison.Ordinal);
        Assert.Contains("pg_isready -h 127.0.0.1", report["database"].Fix, StringComparison.Ordinal);
        Assert.Contains("redis-cli -h 127.0.0.1", report["redis"].Fix, StringComparison.Ordinal);
        // What needs the database is not reported twice.
        report.Assert("migrations", "skip");
        report.Assert("text-folding", "skip");
        report.Assert("clock", "skip");
    }

    [Fact]
    public async Task A_postgres_database_whose_ctype_lower_cases_only_ascii_warns_that_search_misses_other_scripts()
    {
        // Debian's cluster takes the environment's locale: C where none is set (a bare container).
        var report = await DoctorRun.RunAsync(new() { ["DATABASE_URL"] = await PostgresServer.CreateEmptyDatabaseAsync(locale: "C") });

        var folding = report.Assert("text-folding", "warn");
        Assert.Contains("LC_CTYPE C and encoding UTF8", folding.Summary, StringComparison.Ordinal);
        Assert.Contains("'ПРИВЕТ' for 'привет'", folding.Summary, StringComparison.Ordinal);
        Assert.Contains("--locale=C.UTF-8", folding.Fix, StringComparison.Ordinal);
        Assert.Contains("--template=template0", folding.Fix, StringComparison.Ordinal);
        Assert.Equal(0, report.ExitCode);
    }

    [Fact]
    public async Task Running_services_that_refuse_the_configured_database_or_user_fail_with_what_to_create_or_correct()
    {
        var admin = new Npgsql.NpgsqlConnectionStringBuilder(await PostgresServer.AdminConnectionStringAsync()) { Database = "kamachat_never_created" };
        var (rabbitHost, rabbitPort) = await RabbitMqServer.EndpointAsync();
        var report = await DoctorRun.RunAsync(new()
        {
            ["DATABASE_URL"] = admin.ConnectionString,
            ["HOST_RABBITMQ"] = rabbitHost,
            ["PORT_RABBITMQ"] = rabbitPort.ToString(CultureInfo.InvariantCulture),
            ["USER_RABBITMQ"] = "guest",
            ["PASSWORD_RABBITMQ"] = "not-the-password",
        });

        var database = report.Assert("database", "fail");
        Assert.Contains("has no database 'kamachat_never_created'", database.Summary, StringComparison.Ordinal);
        Assert.Contains("createdb", database.Fix, StringComparison.Ordinal);
        var rabbitMq = report.Assert("rabbitmq", "fail");
        Assert.Contains("refused user 'guest'", rabbitMq.Summary, StringComparison.Ordinal);
        Assert.Contains("PASSWORD_RABBITMQ", rabbitMq.Fix, StringComparison.Ordinal);
        Assert.Equal(1, report.ExitCode);
    }

    [Fact]
    public async Task An_invalid_configuration_fails_with_the_messages_start_up_gives()
    {
        var report = await DoctorRun.RunAsync(new()
        {
            ["NODE_ENV"] = "production",
            ["PORT_RABBITMQ"] = "amqp",
            ["Kestrel__Limits__MaxConcurrentUpgradedConnections"] = "lots",
        });

        Assert.Equal(1, report.ExitCode);
        var configuration = report.Assert("configuration", "fail");
        Assert.Contains("JWT_SECRET is not set", configuration.Summary, StringComparison.Ordinal);
        Assert.Contains("PORT_RABBITMQ must be a port number (got 'amqp')", configuration.Summary, StringComparison.Ordinal);
        Assert.Contains("Kestrel__Limits__MaxConcurrentUpgradedConnections must be a positive whole number of connections, " +
            "or empty for the limit computed from the open-file limit (got 'lots')", configuration.Summary, StringComparison.Ordinal);
        // The checks whose own settings are broken say so instead of guessing; the others still run.
        report.Assert("rabbitmq", "skip");
        report.Assert("database", "ok");
        report.Assert("port", "ok");
    }

    [Fact]
    public async Task Pending_migrations_are_listed_and_fail_only_when_start_up_will_not_apply_them()
    {
        var database = await PostgresServer.CreateEmptyDatabaseAsync();
        List<string> migrations;
        await using (var db = Postgres(database))
        {
            migrations = [.. db.Database.GetMigrations()];
            // Every migration but the newest: a database one upgrade behind.
            await db.GetService<IMigrator>().MigrateAsync(migrations[^2]);
        }

        var kept = await DoctorRun.RunAsync(new() { ["DATABASE_URL"] = database, ["KAMACHAT_MIGRATE"] = "false" });
        // The test server acknowledges commits before writing them (fast, and never killed): a warning with the fix.
        var durability = kept.Assert("database", "warn");
        Assert.Contains("synchronous_commit = off", durability.Summary, StringComparison.Ordinal);
        Assert.Contains("SET synchronous_commit = on", durability.Fix, StringComparison.Ordinal);
        var pending = kept.Assert("migrations", "fail");
        Assert.Contains(migrations[^1], pending.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain(migrations[^2], pending.Summary, StringComparison.Ordinal);
        Assert.Contains("KAMACHAT_MIGRATE=true", pending.Fix, StringComparison.Ordinal);
        Assert.Equal(1, kept.ExitCode);

        // Start-up will apply it: a warning. And before the first start, an unreachable PUBLIC_URL is only a warning too.
        var applied = await DoctorRun.RunAsync(new() { ["DATABASE_URL"] = database, ["PUBLIC_URL"] = $"http://127.0.0.1:{DeadPort()}" });
        Assert.Contains(migrations[^1], applied.Assert("migrations", "warn").Summary, StringComparison.Ordinal);
        Assert.Contains("is free", applied.Assert("port", "ok").Summary, StringComparison.Ordinal);
        Assert.Contains("no KamaChat runs on this node yet", applied.Assert("public-url", "warn").Summary, StringComparison.Ordinal);
        Assert.Equal(0, applied.ExitCode);
    }

    [Fact]
    public async Task A_data_directory_that_cannot_be_written_fails_the_storage_check()
    {
        var data = Directory.CreateTempSubdirectory("kamachat-doctor-data-").FullName;
        await FileSystemFaults.FreezeAsync(data);
        try
        {
            var report = await DoctorRun.RunAsync(new()
            {
                ["NODE_ENV"] = "production", ["JWT_SECRET"] = DoctorRun.ProductionSecret, ["KAMACHAT_DATA_DIR"] = data,
            });

            Assert.Contains("KAMACHAT_DATA_DIR", report.Assert("storage", "fail").Fix, StringComparison.Ordinal);
            Assert.Equal(1, report.ExitCode);
        }
        finally
        {
            await FileSystemFaults.ThawAsync(data);
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_data_directory_on_a_nearly_full_disk_fails_the_disk_check()
    {
        var data = Directory.CreateTempSubdirectory("kamachat-doctor-disk-").FullName;
        await FileSystemFaults.MountTmpfsAsync(data, "8m");
        try
        {
            var report = await DoctorRun.RunAsync(new()
            {
                ["NODE_ENV"] = "production", ["JWT_SECRET"] = DoctorRun.ProductionSecret, ["KAMACHAT_DATA_DIR"] = data,
            });

            var disk = report.Assert("disk", "fail");
            Assert.Contains("8 MiB", disk.Summary, StringComparison.Ordinal);
            Assert.Contains("KAMACHAT_DATA_DIR", disk.Fix, StringComparison.Ordinal);
            report.Assert("storage", "ok");
            Assert.Equal(1, report.ExitCode);
        }
        finally
        {
            await FileSystemFaults.UnmountAsync(data);
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>
    /// A test cannot move the machine's clock, so this one runs the check itself with a clock set off by a known amount
    /// (the check reads time from the injected TimeProvider, as the whole server does) against the real PostgreSQL.
    /// </summary>
    [Fact]
    public async Task A_clock_off_the_database_servers_warns_from_half_a_second_and_fails_from_five()
    {
        var database = new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = await PostgresServer.CreateDatabaseAsync() };

        async Task<CheckResult> CheckAsync(TimeSpan skew) =>
            await new ClockCheck(Options.Create(database), new SkewedClock(skew)).RunAsync(CancellationToken.None);

        Assert.Equal(CheckStatus.Ok, (await CheckAsync(TimeSpan.Zero)).Status);
        var ahead = await CheckAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(CheckStatus.Warn, ahead.Status);
        Assert.Contains("ahead of", ahead.Summary, StringComparison.Ordinal);
        var behind = await CheckAsync(TimeSpan.FromSeconds(-30));
        Assert.Equal(CheckStatus.Fail, behind.Status);
        Assert.Contains("behind", behind.Summary, StringComparison.Ordinal);
        Assert.Contains("timedatectl set-ntp true", behind.Fix, StringComparison.Ordinal);
    }

    private Uri NodeAddress() => new(node.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private static string DeadPort() => ServiceProcess.FreeLoopbackPort().ToString(CultureInfo.InvariantCulture);

    private static PostgresKamaDbContext Postgres(string connectionString) =>
        new(new DbContextOptionsBuilder<PostgresKamaDbContext>().UseNpgsql(connectionString).Options);

    /// <summary>A migrated database that, unlike the test server's default, writes a commit before acknowledging it (as production must).</summary>
    private static async Task<string> MigratedDatabaseAsync()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var db = Postgres(database);
        var name = new Npgsql.NpgsqlConnectionStringBuilder(database).Database;
        // A database name cannot be a parameter; this one is the test's own kamachat_test_<hex>.
        var alter = "ALTER DATABASE " + name + " SET synchronous_commit = on";
        await db.Database.ExecuteSqlRawAsync(alter);
        return database;
    }

    private sealed class SkewedClock(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + skew;
    }
}
