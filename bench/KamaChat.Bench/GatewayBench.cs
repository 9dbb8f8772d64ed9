using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Gateway;
using KamaChat.Server.Infrastructure.Ids;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Bench;

/// <summary>
/// C clients in each of N channels (one by default), S senders: the gateway against a raw WebSocket broadcast, same run,
/// on SQLite, PostgreSQL or both. At a fixed rate by default; with --sustained, the highest total send rate whose p99
/// send→receive stays within the target, found by stepping the rate up.
/// </summary>
public static class GatewayBench
{
    private const int ClientsPerUser = 10;

    /// <summary>The total send rates a --sustained search tries, in order (from --start-rate up to --max-rate).</summary>
    private static readonly int[] Ladder = [50, 100, 150, 200, 300, 400, 500, 700, 1000, 1400, 2000, 2800, 4000, 5600, 8000];

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var databases = options.Database == "both" ? ["sqlite", "postgres"] : new[] { options.Database };
        if (databases.Any(d => d is not ("sqlite" or "postgres")))
        {
            Console.Error.WriteLine("--db takes sqlite, postgres or both");
            return 2;
        }
        if (options.Client is not ("signalr" or "lean") || (options.Client == "lean" && options.Protocol != "json"))
        {
            Console.Error.WriteLine("--client takes signalr or lean (lean speaks JSON only)");
            return 2;
        }
        var shape = $"{options.Channels} channel(s) x {options.Clients} {options.Protocol} {options.Client} clients, {SendersPerChannel(options) * options.Channels} senders";
        Console.WriteLine(options.Sustained
            ? $"gateway bench, sustained rate: {shape}; total rate stepped {options.StartRate}..{options.MaxRate}/s, {options.StepSeconds} s a step, until p99 > {options.TargetP99} ms; {Environment.ProcessorCount} cores, load {Machine.LoadAverage()} (generator on the same machine){(databases.Contains("postgres") ? options.PostgresFsyncNote() : "")}"
            : $"gateway bench: {shape}{(options.Stalled > 0 ? $" (+{options.Stalled} not reading)" : "")} x {options.Rate} msg/s, {options.Seconds} s; {Environment.ProcessorCount} cores, load {Machine.LoadAverage()} (generator on the same machine){(databases.Contains("postgres") ? options.PostgresFsyncNote() : "")}");

        // PostgreSQL: the tests' throwaway server, its own instance with durable commits (synchronous_commit on), and with
        // --pg-fsync on (the default) each commit flushed to disk, as in production.
        PostgresInstance? postgres = null;
        var lines = new List<string>();
        var sustained = new List<(string Name, int Rate)>();
        try
        {
            foreach (var database in databases)
            {
                if (database == "postgres")
                    postgres ??= await PostgresServer.StartOwnAsync(durableCommits: true, flushesToDisk: options.PostgresFsync);
                if (options.Sustained)
                {
                    await using var setup = await SetUpAsync(options, database, postgres, new Dictionary<string, string>());
                    var rate = await SearchAsync($"{database}", options, setup.Latency, setup.Senders, options.Clients, setup.Server);
                    sustained.Add((database, rate));
                    continue;
                }
                // The KamaChat gateway, with its cache and without (KAMACHAT_CACHE=off), each on a fresh server and database.
                var cached = await RunGatewayAsync(options, database, postgres, new Dictionary<string, string>());
                var uncached = await RunGatewayAsync(options, database, postgres, new Dictionary<string, string> { ["KAMACHAT_CACHE"] = "off" });
                lines.Add(cached.Result.Line());
                lines.Add(cached.Breakdown);
                lines.Add(uncached.Result.Line());
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"cache      {database}: queries/send {cached.QueriesPerSend:N1} with the cache, {uncached.QueriesPerSend:N1} without ({cached.QueriesPerSend / uncached.QueriesPerSend:N2}x); " +
                    $"p50 {cached.Result.P50:N2} ms vs {uncached.Result.P50:N2} ms ({cached.Result.P50 / uncached.Result.P50:N2}x), p99 {cached.Result.P99:N2} ms vs {uncached.Result.P99:N2} ms ({cached.Result.P99 / uncached.Result.P99:N2}x)"));
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"memory     {database}: {cached.BytesPerConnection / 1024:N1} KiB server memory per gateway connection ({options.Clients * options.Channels} connections)"));
                sustained.Add((database, 0));
                lines.Add(""); // ratios follow the baseline
                _ratios.Add((database, cached.Result));
            }

            // Baseline: raw WebSocket broadcast on Kestrel, each message to as many sockets as a channel has clients, its own process.
            var rawPort = ServerUnderTest.FreePort();
            using var raw = Process.Start(new ProcessStartInfo("dotnet", $"\"{typeof(GatewayBench).Assembly.Location}\" raw-server --port {rawPort}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            using var probe = new HttpClient();
            for (var i = 0; i < 100 && !await IsUpAsync(probe, rawPort); i++)
                await Task.Delay(100);
            var rawLatency = new LatencyRecorder();
            var sockets = await ConnectAllAsync(options.Clients, _ => ConnectRawAsync(rawPort, rawLatency));
            var rawSenders = Enumerable.Range(0, SendersPerChannel(options) * options.Channels).Select(_ => (Func<HttpClient, long, Task<bool>>)(async (http, stamp) =>
                (await http.PostAsync(new Uri($"http://127.0.0.1:{rawPort}/send"), new StringContent(stamp.ToString(CultureInfo.InvariantCulture)))).IsSuccessStatusCode)).ToList();
            Console.WriteLine();
            if (!options.Sustained)
                await WarmUpAsync("baseline", options.Rate * rawSenders.Count, options, rawLatency, rawSenders, options.Clients, null);
            if (options.Sustained)
            {
                var rawRate = await SearchAsync("baseline", options, rawLatency, rawSenders, options.Clients);
                Console.WriteLine();
                Console.WriteLine($"sustained  highest total send rate with p99 <= {options.TargetP99} ms ({options.Channels} channel(s) x {options.Clients} clients; load {Machine.LoadAverage()}):");
                foreach (var (name, rate) in sustained)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {name,-9} {Rated(rate, options),9} sends/s  {rate * options.Clients,9:N0} deliveries/s  {(rawRate > 0 ? (rate / (double)rawRate).ToString("N2", CultureInfo.InvariantCulture) + "x" : "-"),5} baseline"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"baseline",-9} {Rated(rawRate, options),9} sends/s  {rawRate * options.Clients,9:N0} deliveries/s  (raw broadcast)"));
            }
            else
            {
                // The baseline's CPU a send, counted as the gateway's is (SendPathBreakdown): the raw server's process and
                // this one (its senders and listeners), so the two sides' CPU compare where their p99s cannot.
                var (rawCpuBefore, clientsCpuBefore) = (ProcessCpu.Of(raw.Id), ProcessCpu.Of(Environment.ProcessId));
                var baseline = await DriveAsync("baseline", options, rawLatency, rawSenders, options.Clients);
                var (rawCpu, clientsCpu) = (ProcessCpu.Of(raw.Id) - rawCpuBefore, ProcessCpu.Of(Environment.ProcessId) - clientsCpuBefore);
                var rawSent = Math.Max(1, baseline.Expected / options.Clients);
                Console.WriteLine();
                foreach (var line in lines.Where(l => l.Length > 0))
                    Console.WriteLine(line);
                Console.WriteLine(baseline.Line());
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"counts     baseline: per send: server CPU {rawCpu.TotalMilliseconds / rawSent:N2} ms, bench clients CPU {clientsCpu.TotalMilliseconds / rawSent:N2} ms"));
                foreach (var (database, result) in _ratios)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"ratio      {database}: delivered/s {result.DeliveredPerSecond / baseline.DeliveredPerSecond:N2}x baseline, p50 {result.P50 / baseline.P50:N1}x, p99 {result.P99 / baseline.P99:N1}x baseline"));
                Console.WriteLine($"load       {Machine.LoadAverage()}");
            }
            foreach (var socket in sockets)
                socket.Dispose();
            raw.Kill();
        }
        finally
        {
            if (postgres is not null)
                await postgres.StopAsync();
        }
        return 0;
    }

    private static readonly List<(string Database, RunResult Result)> _ratios = [];

    private static string Rated(int rate, BenchOptions options) => rate == 0 ? $"< {options.StartRate}" : rate.ToString("N0", CultureInfo.InvariantCulture);

    private static int SendersPerChannel(BenchOptions options) => Math.Max(1, (options.Senders + options.Channels - 1) / options.Channels);

    private sealed record GatewayRun(RunResult Result, double QueriesPerSend, double BytesPerConnection, string Breakdown);

    /// <summary>A fresh server and database, its channels seeded, every listener connected: what a run drives.</summary>
    private sealed class Setup(ServerUnderTest server, List<IAsyncDisposable> connections, LatencyRecorder latency) : IAsyncDisposable
    {
        public ServerUnderTest Server => server;

        public LatencyRecorder Latency => latency;

        /// <summary>One send per (channel, sender account), posting to that channel.</summary>
        public List<Func<HttpClient, long, Task<bool>>> Senders { get; } = [];

        public List<IAsyncDisposable> Connections => connections;

        public long Sent;

        public double BytesPerConnection { get; set; }

        /// <summary>--stalled: clients that do not read, on the first channel.</summary>
        public List<StalledClient> Stalled { get; } = [];

        public async ValueTask DisposeAsync()
        {
            foreach (var stalled in Stalled)
                await stalled.DisposeAsync();
            foreach (var connection in connections)
                await connection.DisposeAsync();
            await server.DisposeAsync();
        }
    }

    private static async Task<Setup> SetUpAsync(BenchOptions options, string database, PostgresInstance? postgres, Dictionary<string, string> environment)
    {
        if (database == "postgres")
        {
            var url = await PostgresServer.CreateDatabaseAsync(postgres!.AdminConnectionString);
            // Room for the bench's concurrent senders (the tests' fixture allows 40 a database).
            url = new Npgsql.NpgsqlConnectionStringBuilder(url) { MaxPoolSize = 100 }.ConnectionString;
            await using (var db = new PostgresKamaDbContext(new DbContextOptionsBuilder<PostgresKamaDbContext>().UseNpgsql(url).Options))
                await db.Database.MigrateAsync();
            environment = new Dictionary<string, string>(environment) { ["DATABASE_URL"] = url };
        }
        var server = await ServerUnderTest.StartAsync(environment);
        var sendersPerChannel = SendersPerChannel(options);
        var usersPerChannel = (options.Clients + ClientsPerUser - 1) / ClientsPerUser;
        var accounts = new (string Token, Snowflake Id)[options.Channels * (sendersPerChannel + usersPerChannel)];
        using (var gate = new SemaphoreSlim(4))
            await Task.WhenAll(Enumerable.Range(0, accounts.Length).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    var tokens = await server.RegisterAsync($"b{i}_{Guid.NewGuid():N}"[..20]);
                    accounts[i] = (tokens.AccessToken, tokens.User.Id);
                }
                finally
                {
                    gate.Release();
                }
            }));
        var listeners = new List<string>();
        var senders = new List<Func<HttpClient, long, Task<bool>>>();
        for (var c = 0; c < options.Channels; c++)
        {
            var mine = accounts.AsSpan(c * (sendersPerChannel + usersPerChannel), sendersPerChannel + usersPerChannel).ToArray();
            var channelId = await server.SeedChannelAsync(mine.Select(a => a.Id));
            foreach (var (token, _) in mine.Take(sendersPerChannel))
                senders.Add(SendTo(server, channelId, token));
            for (var i = 0; i < options.Clients; i++)
                listeners.Add(mine[sendersPerChannel + i / ClientsPerUser].Token);
        }
        var before = server.ResidentBytes();
        var latency = new LatencyRecorder();
        var connections = await ConnectAllAsync(listeners.Count, async i => options.Client == "lean"
            ? (IAsyncDisposable)await LeanListener.ConnectAsync(server.BaseAddress, listeners[i], latency)
            : await ConnectGatewayAsync(server.BaseAddress, listeners[i], latency, options.Protocol == "messagepack"));
        var setup = new Setup(server, connections, latency);
        setup.Stalled.AddRange(listeners.Take(options.Stalled).Select(token => new StalledClient(server.BaseAddress, token)));
        await Task.Delay(2000);
        setup.BytesPerConnection = (server.ResidentBytes() - before) / (double)Math.Max(1, connections.Count);
        // Warm-up, not measured: the first sends pay for JIT, query compilation, connection pools and caches.
        using (var warm = new HttpClient { Timeout = TimeSpan.FromSeconds(60) })
            await Task.WhenAll(senders.Select(async send =>
            {
                for (var i = 0; i < 5; i++)
                    await send(warm, Stopwatch.GetTimestamp());
            }));
        for (var i = 0; i < 100 && latency.Count < senders.Count * 5L * options.Clients; i++)
            await Task.Delay(100);
        latency.Reset();
        setup.Senders.AddRange(senders.Select(send => (Func<HttpClient, long, Task<bool>>)(async (http, stamp) =>
        {
            var ok = await send(http, stamp);
            if (ok)
                Interlocked.Increment(ref setup.Sent);
            return ok;
        })));
        return setup;
    }

    private static Func<HttpClient, long, Task<bool>> SendTo(ServerUnderTest server, Snowflake channelId, string token) => async (http, stamp) =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseAddress, $"api/v1/channels/{channelId}/messages"))
        {
            Content = JsonContent.Create(new { content = stamp.ToString(CultureInfo.InvariantCulture) }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
            Failures.AddOrUpdate($"{(int)response.StatusCode} {await ProblemCodeAsync(response)}", 1, (_, n) => n + 1);
        return response.IsSuccessStatusCode;
    };

    /// <summary>Why sends failed (status and problem code), printed with a step that lost sends.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Failures = new();

    private static async Task<string> ProblemCodeAsync(HttpResponseMessage response)
    {
        try
        {
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("code", out var code) ? code.GetString() ?? "" : "";
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            return "";
        }
    }

    /// <summary>A fresh server with these settings: its listeners connected, its senders driven, its SQL commands per send counted from /metrics.</summary>
    private static async Task<GatewayRun> RunGatewayAsync(BenchOptions options, string database, PostgresInstance? postgres, Dictionary<string, string> environment)
    {
        await using var setup = await SetUpAsync(options, database, postgres, environment);
        var name = $"{(environment.ContainsKey("KAMACHAT_CACHE") ? "no cache" : "gateway")} {database}";
        // Measured once the hot path is compiled, as with --sustained: before, the tiered JIT's background compiles
        // took 30% of the server's CPU in the measured seconds and its tier-0 code ran the rest (perf, 2 cores).
        await WarmUpAsync(name, options.Rate * setup.Senders.Count, options, setup.Latency, setup.Senders, options.Clients, setup.Server);
        var commandsBefore = await setup.Server.DatabaseCommandsAsync();
        var pathBefore = await SendPathBreakdown.ReadAsync(setup.Server);
        var sentBefore = setup.Sent;
        var result = await DriveAsync(name, options, setup.Latency, setup.Senders, options.Clients);
        var commands = await setup.Server.DatabaseCommandsAsync() - commandsBefore;
        var breakdown = (await SendPathBreakdown.ReadAsync(setup.Server)).Since(pathBefore, name, setup.Sent - sentBefore);
        var sent = setup.Sent - sentBefore;
        if (setup.Stalled.Count > 0)
            Console.WriteLine($"stalled    {name}: {setup.Stalled.Count} client(s) not reading besides the listeners; the server closed them {setup.Stalled.Sum(c => c.Connects - 1)} time(s) in all");
        return new GatewayRun(result, sent == 0 ? double.NaN : commands / (double)sent, setup.BytesPerConnection, breakdown);
    }

    /// <summary>At most this many warm-up steps before the first judged one.</summary>
    private const int WarmUpSteps = 6;

    /// <summary>A warm-up step that compiles fewer methods than this leaves a server whose hot path is compiled.</summary>
    private const int SettledJitMethods = 50;

    /// <summary>
    /// Steps the total send rate up the ladder until a rate misses the p99 target (or loses a send) twice running; the
    /// highest rate that held.
    /// </summary>
    /// <param name="server">The gateway under test, whose send-path breakdown each step prints (none for the baseline).</param>
    private static async Task<int> SearchAsync(
        string name, BenchOptions options, LatencyRecorder latency, List<Func<HttpClient, long, Task<bool>>> senders, int clientsPerMessage, ServerUnderTest? server = null)
    {
        var best = 0;
        var rates = Ladder.Where(r => r >= options.StartRate && r <= options.MaxRate).ToList();
        if (rates.Count == 0)
            return best;
        await WarmUpAsync(name, rates[0], options, latency, senders, clientsPerMessage, server);
        foreach (var rate in rates)
        {
            // A rate is judged by two steps when the first misses: on a machine shared with the load generator, one
            // step in several has a stall of a second or more (a GC, the OS scheduling the generator's own burst)
            // that puts it over at a rate the steps either side of it hold. Both steps are printed; the rate holds
            // only if the second does, and a rate that is really too high misses both.
            var held = await StepAsync(name, rate, "", options, latency, senders, clientsPerMessage, server)
                       || await StepAsync(name, rate, " again", options, latency, senders, clientsPerMessage, server);
            if (!held)
                break;
            best = rate;
            await Task.Delay(1000);
        }
        return best;
    }

    /// <summary>
    /// Steps at a rate that are not measured. A cold server (JIT, connection pools, caches) answers its first seconds
    /// slowly, or a search would stop at the first step on start-up cost alone. One step was not enough: tiered
    /// compilation goes on recompiling the hot path for many seconds after its first calls (the first judged step cost
    /// the node 13 ms of CPU a send, the next 3.5), so warm-up goes on until a step compiles fewer than
    /// SettledJitMethods methods, at most WarmUpSteps steps. Without a server to ask (the baseline), one step.
    /// </summary>
    private static async Task WarmUpAsync(
        string name, int rate, BenchOptions options, LatencyRecorder latency, List<Func<HttpClient, long, Task<bool>>> senders, int clientsPerMessage,
        ServerUnderTest? server)
    {
        for (var step = 1; step <= WarmUpSteps; step++)
        {
            latency.Reset();
            var jitted = server is null ? 0 : await server.JitCompiledMethodsAsync();
            await OpenLoopAsync($"{name} {rate}/s warm-up", rate, options.StepSeconds, latency, senders, clientsPerMessage);
            var compiled = server is null ? 0 : await server.JitCompiledMethodsAsync() - jitted;
            if (server is not null)
                Console.WriteLine($"warm-up    {name} step {step}: {compiled:N0} methods compiled");
            await Task.Delay(1000);
            if (compiled < SettledJitMethods)
                break;
        }
        latency.Reset();
    }

    /// <summary>One judged step at a rate: its line, its send-path breakdown, and whether it held the target.</summary>
    private static async Task<bool> StepAsync(
        string name, int rate, string label, BenchOptions options, LatencyRecorder latency, List<Func<HttpClient, long, Task<bool>>> senders,
        int clientsPerMessage, ServerUnderTest? server)
    {
        latency.Reset();
        Failures.Clear();
        var before = server is null ? null : await SendPathBreakdown.ReadAsync(server);
        var (result, failed) = await OpenLoopAsync($"{name} {rate}/s{label}", rate, options.StepSeconds, latency, senders, clientsPerMessage);
        var held = failed == 0 && result.Delivered >= result.Expected && result.P99 <= options.TargetP99;
        var why = string.Join(", ", Failures.Select(f => $"{f.Value} x {f.Key}"));
        Console.WriteLine(result.Line() + (failed > 0 ? $"  {failed} sends failed{(why.Length > 0 ? $" ({why})" : " (no answer in 30 s)")}" : "") + (held ? "" : "  <- over"));
        if (server is not null && before is not null)
            Console.WriteLine((await SendPathBreakdown.ReadAsync(server)).Since(before, $"{name} {rate}/s{label}", result.Expected / Math.Max(1, clientsPerMessage)));
        if (!held)
            await Task.Delay(1000);
        return held;
    }

    /// <summary>
    /// Sends at a total rate on a schedule that does not wait for answers (open loop: a slow server does not slow the
    /// generator down), round-robin over the senders; each message carries its scheduled time, so queueing counts.
    /// </summary>
    private static async Task<(RunResult Result, long Failed)> OpenLoopAsync(
        string name, int rate, int seconds, LatencyRecorder latency, List<Func<HttpClient, long, Task<bool>>> senders, int clientsPerMessage)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { Timeout = TimeSpan.FromSeconds(30) };
        var total = rate * seconds;
        var (sent, failed) = (0L, 0L);
        var inFlight = new List<Task>(total);
        var start = Stopwatch.GetTimestamp();
        var clock = Stopwatch.StartNew();
        for (var k = 0; k < total;)
        {
            var due = (long)(k * (double)Stopwatch.Frequency / rate);
            var now = Stopwatch.GetTimestamp() - start;
            if (due > now)
            {
                await Task.Delay(TimeSpan.FromTicks(Math.Max(1, (due - now) * TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
                continue;
            }
            var send = senders[k % senders.Count];
            var stamp = start + due;
            inFlight.Add(Task.Run(async () =>
            {
                try
                {
                    if (await send(http, stamp))
                        Interlocked.Increment(ref sent);
                    else
                        Interlocked.Increment(ref failed);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failed);
                }
            }));
            k++;
        }
        var sendSeconds = clock.Elapsed.TotalSeconds;
        await Task.WhenAll(inFlight);
        var expected = sent * clientsPerMessage;
        var drainUntil = clock.Elapsed + TimeSpan.FromSeconds(5);
        while (latency.Count < expected && clock.Elapsed < drainUntil)
            await Task.Delay(50);
        var (p50, p99, max) = latency.PercentilesMs();
        return (new RunResult(name, latency.Count / clock.Elapsed.TotalSeconds, sent / sendSeconds, p50, p99, max, expected, latency.Count), failed);
    }

    private static async Task<bool> IsUpAsync(HttpClient http, int port)
    {
        try
        {
            return (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz"))).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task<List<T>> ConnectAllAsync<T>(int count, Func<int, Task<T>> connect)
    {
        var results = new T[count];
        using var gate = new SemaphoreSlim(32);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                results[i] = await connect(i);
            }
            finally
            {
                gate.Release();
            }
        }));
        return [.. results];
    }

    public static async Task<HubConnection> ConnectGatewayAsync(Uri baseAddress, string token, LatencyRecorder? latency, bool messagePack = false)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "hubs/gateway"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            });
        if (messagePack)
            builder.AddMessagePackProtocol(o => o.SerializerOptions = MessagePack.MessagePackSerializerOptions.Standard
                .WithResolver(SnowflakeMessagePackFormatter.Resolver));
        var connection = builder.Build();
        if (latency is not null)
            connection.On<GatewayEvent>("Event", e =>
            {
                if (e.Type == "MessageCreated" && ReadContent(e.Data) is { } stamp)
                    latency.Record(stamp);
            });
        await connection.StartAsync();
        return connection;
    }

    private static long? ReadContent(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        while (reader.Read())
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("content") && reader.Read())
                return long.TryParse(reader.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
        return null;
    }

    private static async Task<ClientWebSocket> ConnectRawAsync(int port, LatencyRecorder latency)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws"), CancellationToken.None);
        _ = Task.Run(async () =>
        {
            var buffer = new byte[256];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                        break;
                    if (long.TryParse(Encoding.UTF8.GetString(buffer, 0, result.Count), NumberStyles.None, CultureInfo.InvariantCulture, out var stamp))
                        latency.Record(stamp);
                }
            }
            catch (WebSocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        });
        return socket;
    }

    /// <summary>Each sender sends at the fixed rate for the duration; then we wait for deliveries to drain.</summary>
    private static async Task<RunResult> DriveAsync(
        string name, BenchOptions options, LatencyRecorder latency, List<Func<HttpClient, long, Task<bool>>> senders, int clientsPerMessage)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var sent = 0L;
        var interval = TimeSpan.FromSeconds(1.0 / options.Rate);
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(options.Seconds);
        await Task.WhenAll(senders.Select(send => Task.Run(async () =>
        {
            var next = clock.Elapsed;
            while (clock.Elapsed < duration)
            {
                if (await send(http, Stopwatch.GetTimestamp()))
                    Interlocked.Increment(ref sent);
                next += interval;
                var wait = next - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait);
            }
        })));
        var sendSeconds = clock.Elapsed.TotalSeconds;
        var expected = sent * clientsPerMessage;
        var drainUntil = clock.Elapsed + TimeSpan.FromSeconds(10);
        while (latency.Count < expected && clock.Elapsed < drainUntil)
            await Task.Delay(50);
        var (p50, p99, max) = latency.PercentilesMs();
        return new RunResult(name, latency.Count / clock.Elapsed.TotalSeconds, sent / sendSeconds, p50, p99, max, expected, latency.Count);
    }
}
