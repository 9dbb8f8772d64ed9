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
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Bench;

/// <summary>The real server, started as its own process on SQLite in a temp directory, like ./kamachat start.</summary>
public sealed class ServerUnderTest : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private string? _databaseUrl;

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
        // Bench traffic stays on loopback: the search corpus's links (https://example.com/…) are not fetched.
        start.Environment["LINK_PREVIEWS"] = "off";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        var process = Process.Start(start)!;
        // KAMACHAT_BENCH_SERVER_LOG=1 shows the server's log (its JSON console lines) for a bench that goes wrong.
        var showLog = Environment.GetEnvironmentVariable("KAMACHAT_BENCH_SERVER_LOG") is { Length: > 0 };
        process.OutputDataReceived += (_, e) => { if (showLog && e.Data is { } line) Console.Error.WriteLine("[server] " + line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine("[server] " + line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new ServerUnderTest(process, directory, new Uri($"http://127.0.0.1:{port}/"))
        {
            _databaseUrl = environment?.GetValueOrDefault("DATABASE_URL"),
        };
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
    public long ResidentBytes() => ResidentBytesOf(_process.Id);

    /// <summary>Resident memory of a process, in bytes.</summary>
    public static long ResidentBytesOf(int processId)
    {
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return 0;
    }

    /// <summary>
    /// CPU time the server process has used so far (user + system, all threads). On a shared machine the CPU a piece of
    /// work costs is steadier than the wall time it takes.
    /// </summary>
    public TimeSpan CpuTime() => ProcessCpu.Of(_process.Id);

    public async Task<AuthTokens> RegisterAsync(string name)
    {
        var response = await Http.PostAsJsonAsync("api/v1/auth/register",
            new { email = $"{name}@bench.test", username = name, password = "bench password that is long" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<AuthTokens>(new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)))!;
    }

    /// <summary>A server with one channel (text unless told) and these members, written straight to the server's database.</summary>
    public async Task<Snowflake> SeedChannelAsync(IEnumerable<Snowflake> userIds, ChannelType type = ChannelType.Text)
    {
        await using var db = Database();
        var ids = userIds.Distinct().ToList();
        // Ids only need to be unique here: 1,000 apart from the last seeded server (its channel is the server's id + 1).
        var serverId = new Snowflake(Math.Max(DateTime.UtcNow.Ticks, Interlocked.Add(ref _lastSeeded, 1000)));
        Interlocked.Exchange(ref _lastSeeded, serverId.Value);
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

    private static long _lastSeeded;

    /// <summary>The server's database: its SQLite file, or the PostgreSQL database DATABASE_URL named.</summary>
    private KamaDbContext Database() => _databaseUrl is { } url && !url.StartsWith("sqlite", StringComparison.OrdinalIgnoreCase)
        ? new PostgresKamaDbContext(new DbContextOptionsBuilder<PostgresKamaDbContext>().UseNpgsql(url).Options)
        : new SqliteKamaDbContext(new DbContextOptionsBuilder<SqliteKamaDbContext>()
            .UseSqlite($"Data Source={Path.Combine(_directory, "data", "kamachat.db")}").Options);

    /// <summary>SQL commands the server has sent so far (kamachat.db.commands on /metrics, open to loopback).</summary>
    public async Task<long> DatabaseCommandsAsync() =>
        (long)(await ScrapeAsync())
            .Where(sample => sample.Name == "kamachat_db_commands_total")
            .Sum(sample => sample.Value);

    /// <summary>
    /// Bytes the server has allocated on its managed heap so far (dotnet.gc.heap.total_allocated on /metrics): per
    /// request, a measure of its work that the machine's load does not change, unlike CPU time.
    /// </summary>
    public async Task<long> AllocatedBytesAsync() =>
        (long)(await ScrapeAsync())
            .Where(sample => sample.Name == "dotnet_gc_heap_total_allocated_bytes_total")
            .Sum(sample => sample.Value);

    /// <summary>Methods the server's JIT has compiled so far, tier-ups included (dotnet.jit.compiled_methods on /metrics).</summary>
    public async Task<long> JitCompiledMethodsAsync() =>
        (long)(await ScrapeAsync())
            .Where(sample => sample.Name == "dotnet_jit_compiled_methods_total")
            .Sum(sample => sample.Value);

    /// <summary>
    /// The server's managed (GC) heap after its last collection and the memory the GC holds committed for it
    /// (dotnet.gc.last_collection.* on /metrics): the managed share of its resident memory.
    /// </summary>
    public async Task<(double Heap, double Committed, double Fragmentation)> ManagedHeapAsync()
    {
        var samples = await ScrapeAsync();
        return (samples.Where(sample => sample.Name == "dotnet_gc_last_collection_heap_size_bytes").Sum(sample => sample.Value),
            samples.Where(sample => sample.Name == "dotnet_gc_last_collection_memory_committed_size_bytes").Sum(sample => sample.Value),
            samples.Where(sample => sample.Name == "dotnet_gc_last_collection_heap_fragmentation_size_bytes").Sum(sample => sample.Value));
    }

    /// <summary>
    /// Has the server run a full blocking collection now, as dotnet-gcdump does (an EventPipe session asking for a heap
    /// collection), so that <see cref="ManagedHeapAsync"/> then counts live objects only: after an ordinary gen0 or gen1
    /// collection its heap still holds gen2's garbage.
    /// </summary>
    public Task FullCollectionAsync() => FullCollectionAsync(_process.Id);

    /// <inheritdoc cref="FullCollectionAsync()"/>
    public static async Task FullCollectionAsync(int processId)
    {
        const long gc = 0x1, gcHeapCollect = 0x800000;
        var client = new DiagnosticsClient(processId);
        using var session = await client.StartEventPipeSessionAsync(
            [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", System.Diagnostics.Tracing.EventLevel.Informational, gc | gcHeapCollect)],
            requestRundown: false, circularBufferMB: 16, CancellationToken.None);
        // The runtime collects when the session starts; its events are not needed, only read so that none waits.
        var drain = session.EventStream.CopyToAsync(Stream.Null);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await session.StopAsync(CancellationToken.None);
        await drain;
    }

    /// <summary>
    /// The node's request-duration histogram (upper bound in seconds → requests so far at or under it) for the routes
    /// that contain <paramref name="route"/>, with this method, summed over their status codes.
    /// </summary>
    public async Task<Dictionary<double, double>> RequestDurationBucketsAsync(string route, string method) =>
        (await ScrapeAsync())
            .Where(sample => sample.Name == "http_server_request_duration_seconds_bucket"
                && sample.Labels.Contains($"http_request_method=\"{method}\"", StringComparison.Ordinal)
                && Label(sample.Labels, "http_route") is { } r && r.EndsWith(route, StringComparison.Ordinal))
            .GroupBy(sample => Label(sample.Labels, "le") is "+Inf" ? double.PositiveInfinity : double.Parse(Label(sample.Labels, "le")!, CultureInfo.InvariantCulture))
            .ToDictionary(g => g.Key, g => g.Sum(sample => sample.Value));

    public sealed record Sample(string Name, string Labels, double Value);

    /// <summary>The PostgreSQL database the server uses (DATABASE_URL), or null on its SQLite file.</summary>
    public string? DatabaseUrl => _databaseUrl;

    /// <summary>Every sample on /metrics now.</summary>
    public Task<List<Sample>> MetricsAsync() => ScrapeAsync();

    /// <summary>One read of /metrics. The exporter caches a scrape briefly, so this waits that out first.</summary>
    private async Task<List<Sample>> ScrapeAsync()
    {
        await Task.Delay(1500);
        var text = await Http.GetStringAsync("metrics");
        // name{labels} value [timestamp]
        return text.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line =>
            {
                var brace = line.IndexOf('{');
                var close = line.LastIndexOf('}');
                var name = brace >= 0 ? line[..brace] : line[..line.IndexOf(' ')];
                var labels = brace >= 0 ? line[(brace + 1)..close] : "";
                var value = line[(brace >= 0 ? close + 1 : line.IndexOf(' '))..].Trim().Split(' ')[0];
                return new Sample(name, labels, double.Parse(value, CultureInfo.InvariantCulture));
            })
            .ToList();
    }

    public static string? Label(string labels, string name)
    {
        var start = labels.IndexOf(name + "=\"", StringComparison.Ordinal);
        if (start < 0)
            return null;
        start += name.Length + 2;
        return labels[start..labels.IndexOf('"', start)];
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
