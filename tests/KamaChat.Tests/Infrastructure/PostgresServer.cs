using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KamaChat.Server.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL started from the Debian binaries (initdb + pg_ctl) in a temp directory on a free
/// loopback port, shared by the whole test run and stopped when the process exits. Each test class gets
/// its own database on it, with the schema already in place. KAMACHAT_TEST_POSTGRES (a connection string) points the tests at a server of your own instead.
/// </summary>
public static class PostgresServer
{
    private static readonly Lazy<Task<string>> Started = new(StartAsync);

    public static Task<string> AdminConnectionStringAsync() => Started.Value;

    /// <summary>
    /// Creates a database with the current schema (on the run's shared server) and returns its connection string. It is
    /// a copy of a template migrated once per run: migrating each class's own database cost its test host one to two
    /// seconds of CPU (EF Core builds every migration's model to write its SQL), and a copy takes milliseconds. On
    /// another server (<paramref name="admin"/>, e.g. a test's own to restart) the database is empty, and the app
    /// migrates it at start-up.
    /// </summary>
    public static async Task<string> CreateDatabaseAsync(string? admin = null) =>
        admin is null ? await CreateAsync(await AdminConnectionStringAsync(), await Template.Value) : await CreateAsync(admin, template: null);

    /// <summary>Creates a database with no tables at all on the run's shared server, for a test that migrates it itself.</summary>
    public static async Task<string> CreateEmptyDatabaseAsync() => await CreateAsync(await AdminConnectionStringAsync(), template: null);

    /// <summary>
    /// An empty database on the run's shared server whose LC_COLLATE and LC_CTYPE are <paramref name="locale"/>, not the
    /// server's C.UTF-8: e.g. C, what Debian's cluster gets where the environment names no locale.
    /// </summary>
    public static async Task<string> CreateEmptyDatabaseAsync(string locale) =>
        await CreateAsync(await AdminConnectionStringAsync(), template: null, locale);

    private static readonly Lazy<Task<string>> Template = new(CreateTemplateAsync);

    private static async Task<string> CreateTemplateAsync()
    {
        var database = await CreateAsync(await AdminConnectionStringAsync(), template: null);
        // No pooling: CREATE DATABASE … TEMPLATE refuses a template that still has a connection open.
        var unpooled = new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString;
        await using (var db = new PostgresKamaDbContext(new DbContextOptionsBuilder<PostgresKamaDbContext>().UseNpgsql(unpooled).Options))
            await db.Database.MigrateAsync();
        return new NpgsqlConnectionStringBuilder(database).Database!;
    }

    private static async Task<string> CreateAsync(string admin, string? template, string? locale = null)
    {
        var name = "kamachat_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            // Both names are this run's own kamachat_test_<hex>: a database name cannot be a parameter.
            // The locale is the caller's constant; template0, as another locale than the server's needs.
            var sql = locale is not null ? $"CREATE DATABASE {name} ENCODING 'UTF8' LC_COLLATE '{locale}' LC_CTYPE '{locale}' TEMPLATE template0"
                : template is null ? $"CREATE DATABASE {name}" : $"CREATE DATABASE {name} TEMPLATE {template}";
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
        // Room for the concurrency tests' twenty senders plus a reader and the background services, each holding a
        // connection for a transaction (the server allows 300 in all).
        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true, MaxPoolSize = 40 }.ConnectionString;
    }

    private static async Task<string> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("KAMACHAT_TEST_POSTGRES") is { Length: > 0 } external)
            return external;
        return (await StartOwnAsync()).AdminConnectionString;
    }

    /// <summary>
    /// A PostgreSQL of the caller's own (initdb in a temp directory), for a test that stops and restarts it. The run's
    /// shared server acknowledges commits before their log is written (fast, and nothing there is ever killed);
    /// <paramref name="durableCommits"/> makes an acknowledged commit survive the server being killed, as in production;
    /// <paramref name="settings"/> are more <c>name=value</c> settings for the server's command line.
    /// Even durable, a commit waits only for the OS to take its log (fsync off): killing the server loses nothing, and
    /// tests never lose the machine. <paramref name="flushesToDisk"/> runs it as production does (fsync, synchronous
    /// commits and full-page writes on), each commit waiting for the disk: for benches whose figures stand for a
    /// production server's writes.
    /// </summary>
    public static async Task<PostgresInstance> StartOwnAsync(bool durableCommits = false, IReadOnlyList<string>? settings = null, bool flushesToDisk = false)
    {
        var bin = FindBinDirectory() ?? throw new InvalidOperationException(
            "PostgreSQL binaries (initdb, pg_ctl) were not found. Install Debian's 'postgresql' package, or set KAMACHAT_TEST_POSTGRES.");
        var root = Directory.CreateTempSubdirectory("kamachat-pg-").FullName;
        // PostgreSQL refuses to run as root; CI runs as root, so the server runs as the 'postgres' user.
        var asRoot = Environment.UserName == "root";
        if (asRoot)
            await RunAsync("chown", $"postgres \"{root}\"");
        await RunAsync(Path.Combine(bin, "initdb"), $"-D \"{Path.Combine(root, "data")}\" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync", asRoot);

        var instance = new PostgresInstance(bin, root, FreeLoopbackPort(), asRoot, durableCommits || flushesToDisk, flushesToDisk, settings ?? []);
        await instance.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the server may still be stopping; the OS cleans /tmp.
            }
        };
        return instance;
    }

    private static string? FindBinDirectory()
    {
        if (Environment.GetEnvironmentVariable("KAMACHAT_PG_BIN") is { Length: > 0 } configured)
            return configured;
        var debian = "/usr/lib/postgresql";
        if (Directory.Exists(debian))
        {
            var newest = Directory.GetDirectories(debian)
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(d => File.Exists(Path.Combine(d.Dir, "bin", "initdb")))
                .OrderByDescending(d => d.Version)
                .FirstOrDefault();
            if (newest.Dir is not null)
                return Path.Combine(newest.Dir, "bin");
        }
        return Environment.GetEnvironmentVariable("PATH")?.Split(':')
            .FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")));
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static async Task RunAsync(string file, string arguments, bool asPostgresUser = false)
    {
        var start = asPostgresUser
            ? new ProcessStartInfo("runuser", $"-u postgres -- \"{file}\" {arguments}")
            : new ProcessStartInfo(file, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {await error}{await output}");
    }
}

/// <summary>
/// One PostgreSQL server process over a data directory made by <see cref="PostgresServer.StartOwnAsync"/>. Stopping it
/// ends the process the way a crash or an operator's hard restart does; starting it again replays its log and serves
/// the same data on the same port.
/// </summary>
public sealed class PostgresInstance(string bin, string root, int port, bool asRoot, bool durableCommits, bool flushesToDisk, IReadOnlyList<string> settings)
{
    private Process? _process;

    public string AdminConnectionString { get; } = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false;Timeout=30";

    public async Task StartAsync()
    {
        // postgres in the foreground under a watchdog (not pg_ctl, which detaches it): it dies with the test run,
        // even when the test host is killed without running its exit handlers.
        var server = new ProcessStartInfo(asRoot ? "runuser" : Path.Combine(bin, "postgres"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        if (asRoot)
            foreach (var argument in new[] { "-u", "postgres", "--", Path.Combine(bin, "postgres") })
                server.ArgumentList.Add(argument);
        foreach (var argument in new[]
        {
            "-D", Path.Combine(root, "data"), "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-k", root,
            "-c", "listen_addresses=127.0.0.1", "-c", $"fsync={OnOff(flushesToDisk)}", "-c", $"synchronous_commit={OnOff(durableCommits)}",
            "-c", $"full_page_writes={OnOff(flushesToDisk)}", "-c", "max_connections=300",
        }.Concat(settings.SelectMany(setting => new[] { "-c", setting })))
            server.ArgumentList.Add(argument);
        var process = TiedProcess.Start(server);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString);
                await connection.OpenAsync();
                return;
            }
            catch (Exception e) when (e is NpgsqlException or SocketException && attempt < 300)
            {
                if (process.HasExited)
                    throw new InvalidOperationException("PostgreSQL exited during start-up; see its log in " + root, e);
                await Task.Delay(100);
            }
        }
    }

    private static string OnOff(bool value) => value ? "on" : "off";

    /// <summary>Stops the server (its watchdog ends the process group) and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
            await TiedProcess.StopAsync(process);
        _process = null;
    }
}
