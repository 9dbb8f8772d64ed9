using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Servers;
using KamaChat.Server.Infrastructure.Ids;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Bench;

/// <summary>The real server, started as its own process on SQLite in a temp directory, like ./kamachat start.</summary>
public sealed class ServerUnderTest : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    /// <summary>The server's process id (`dotnet KamaChat.Server.dll` runs the server in the dotnet process itself).</summary>
    public int ProcessId => _process.Id;

    private ServerUnderTest(Process process, string directory, Uri baseAddress)
    {
        (_process, _directory, BaseAddress) = (process, directory, baseAddress);
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <param name="environment">Extra settings, e.g. DATABASE_URL for a database the bench prepared.</param>
    public static async Task<ServerUnderTest> StartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var directory = Directory.CreateTempSubdirectory("kamachat-bench-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "KamaChat.Server.dll")}\"")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["NODE_ENV"] = "production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["JWT_SECRET"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));
        start.Environment["HOST"] = "127.0.0.1";
        start.Environment["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["KAMACHAT_DATA_DIR"] = Path.Combine(directory, "data");
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // The bench signs up its users from one address; the per-IP sign-up limit is for real clients.
        start.Environment["RateLimits__Register__PerIp"] = "100000";
        start.Environment["RateLimits__Register__PerAccount"] = "100000";
        // Senders run at the bench's rate, far above a person's message budget.
        start.Environment["RateLimits__MessageSend__PerAccount"] = "100000000";
        // The idle bench holds thousands of connections for a few accounts; real accounts are capped far lower.
        start.Environment["KAMACHAT_GATEWAY_CONNECTIONS_PER_USER"] = "1000000";
        start.Environment["KAMACHAT_GATEWAY_CONNECTIONS_PER_SESSION"] = "1000000";
        start.Environment["KAMACHAT_GATEWAY_CONNECTS_PER_MINUTE"] = "1000000";
        // No Janus of the server's own on the machine's interface: the calls bench points JANUS_URL at its voice lab.
        start.Environment["KAMACHAT_LOCAL_JANUS"] = "off";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        var process = Process.Start(start)!;
        // KAMACHAT_BENCH_SERVER_LOG=1 shows the server's log (its JSON console lines) for a bench that goes wrong.
        var showLog = Environment.GetEnvironmentVariable("KAMACHAT_BENCH_SERVER_LOG") is { Length: > 0 };
        process.OutputDataReceived += (_, e) => { if (showLog && e.Data is { } line) Console.Error.WriteLine("[server] " + line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine("[server] " + line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new ServerUnderTest(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        var status = "no answer";
        for (var i = 0; i < 1200; i++)
        {
            try
            {
                using var ready = await server.Http.GetAsync("readyz");
                if (ready.IsSuccessStatusCode)
                    return server;
                status = $"{(int)ready.StatusCode}: {await ready.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The server did not become ready in 2 minutes (readyz: {status}).");
    }

    /// <summary>Resident memory of the server process, in bytes.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return 0;
    }

    public async Task<AuthTokens> RegisterAsync(string name)
    {
        var response = await Http.PostAsJsonAsync("api/v1/auth/register",
            new { email = $"{name}@bench.test", username = name, password = "bench password that is long" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<AuthTokens>(new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)))!;
    }

    /// <summary>A server with one channel (text unless told) and these members, written straight to the database file.</summary>
    public async Task<Snowflake> SeedChannelAsync(IEnumerable<Snowflake> userIds, ChannelType type = ChannelType.Text)
    {
        var options = new DbContextOptionsBuilder<SqliteKamaDbContext>()
            .UseSqlite($"Data Source={Path.Combine(_directory, "data", "kamachat.db")}").Options;
        await using var db = new SqliteKamaDbContext(options);
        var ids = userIds.Distinct().ToList();
        var serverId = new Snowflake(DateTime.UtcNow.Ticks);
        var channelId = new Snowflake(serverId.Value + 1);
        db.Servers.Add(new ChatServer { Id = serverId, Name = "Bench", OwnerId = ids[0], CreatedAt = DateTimeOffset.UtcNow });
        db.Roles.Add(new Role { Id = serverId, ServerId = serverId, Name = Role.EveryoneName, Permissions = P.DefaultEveryone });
        foreach (var id in ids)
            db.Members.Add(new Member { ServerId = serverId, UserId = id, JoinedAt = DateTimeOffset.UtcNow });
        db.Channels.Add(new Channel { Id = channelId, ServerId = serverId, Type = type, Name = "bench", CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        // Production requires verified addresses to send; these accounts verified theirs.
        await db.Users.Where(u => ids.Contains(u.Id)).ExecuteUpdateAsync(s => s.SetProperty(u => u.EmailConfirmed, true));
        return channelId;
    }

    /// <summary>SQL commands the server has sent so far (kamachat.db.commands on /metrics, open to loopback).</summary>
    public async Task<long> DatabaseCommandsAsync() => (long)await MetricSumAsync("kamachat_db_commands_total");

    /// <summary>
    /// The server's managed (GC) heap after its last collection and the memory the GC holds committed for it
    /// (dotnet.gc.last_collection.* on /metrics): the managed share of its resident memory.
    /// </summary>
    public async Task<(double Heap, double Committed)> ManagedHeapAsync() =>
        (await MetricSumAsync("dotnet_gc_last_collection_heap_size_bytes"),
         await MetricSumAsync("dotnet_gc_last_collection_memory_committed_size_bytes", wait: false));

    /// <summary>The sum of a metric's samples on /metrics. The exporter caches a scrape briefly, so this waits that out first.</summary>
    private async Task<double> MetricSumAsync(string name, bool wait = true)
    {
        if (wait)
            await Task.Delay(1500);
        var text = await Http.GetStringAsync("metrics");
        return text.Split('\n')
            .Where(line => line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is '{' or ' ')
            .Sum(line => double.Parse(SampleValue(line), CultureInfo.InvariantCulture));

        // name{labels} value [timestamp]
        static string SampleValue(string line) =>
            line[(line.LastIndexOf('}') is var brace and >= 0 ? brace + 1 : line.IndexOf(' '))..].Trim().Split(' ')[0];
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
