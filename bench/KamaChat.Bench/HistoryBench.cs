using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Servers;
using KamaChat.Server.Infrastructure.Ids;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Bench;

/// <summary>
/// ./kamachat bench history: pages of history (<c>GET …/messages?limit=50</c>) from a channel holding the whole seeded
/// history (1,000,000 messages by default), on SQLite and on PostgreSQL, by several concurrent readers. The in-run
/// baseline is the same request on a channel of 1,000 messages in the same database, so the ratio says what the size
/// of the history costs. Server time is read from the node's own request-duration histogram on /metrics. With the readers
/// flat out on a small machine, server time is mostly waiting for a core, so the columns that decide it are the CPU per
/// page of the node and, on PostgreSQL, of the database's processes (from /proc, which the machine's load does not change).
/// </summary>
public static class HistoryBench
{
    private const int PageSize = 50;
    private const int SmallChannelMessages = 1000;

    /// <summary>At most this many warm-up rounds (every class, a tenth of its measured pages) before measuring.</summary>
    private const int WarmUpRounds = 8;

    /// <summary>A warm-up round that compiles fewer methods than this leaves a node whose hot path is compiled.</summary>
    private const int SettledJitMethods = 50;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = BenchOptions.Parse(args);
        int Value(string name, int fallback) =>
            Array.IndexOf(args, "--" + name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        var readers = Value("readers", 8);
        var requests = Value("requests", 250);
        var engines = options.Engine == "both" ? ["sqlite", "postgres"] : new[] { options.Engine };
        // --node-only: PostgreSQL measured once, as configured, without the prepared-statement variants (a shorter run
        // for comparing two builds of the node).
        var variants = !args.Contains("--node-only");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"history bench: {options.Messages:N0} messages in one channel, {readers} concurrent readers, {requests} pages per reader per class, page of {PageSize}, {Environment.ProcessorCount} cores (readers on the same machine)"));
        var reports = new List<string>();
        foreach (var engine in engines)
            reports.Add(await RunEngineAsync(engine, options.Messages, readers, requests, variants));
        Console.WriteLine();
        foreach (var report in reports)
            Console.WriteLine(report);
        return 0;
    }

    private sealed record PageClass(string Name, Func<Random, string> Path);

    private static async Task<string> RunEngineAsync(string engine, int messages, int readers, int requests, bool variants)
    {
        void Log(string line) => Console.WriteLine($"[{engine}] {line}");
        await using var database = await SearchDatabase.CreateAsync(engine);
        await database.MigrateAsync();
        var clock = Stopwatch.StartNew();
        await database.SeedAsync(new SearchCorpus(seed: 20261201), messages, p => Log("seeded " + p), channels: 1);
        Log($"seeded in {clock.Elapsed.TotalSeconds:N0} s");
        var big = database.ChannelIds[0];
        var small = await SeedSmallChannelAsync(database);
        if (database.IsPostgres)
        {
            // A freshly bulk-loaded table makes its first readers set every row's hint bits and autovacuum work through it
            // for minutes: database CPU that would land on whichever server below came first. A settled table for all.
            await using var db = database.Context();
            db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
            await db.Database.ExecuteSqlRawAsync("VACUUM (ANALYZE) messages, users, message_mentions, reactions, attachments");
            Log("vacuumed");
        }
        var lines = await MeasureAsync(database, engine, "", new Dictionary<string, string>(), big, small, messages, readers, requests);
        if (database.IsPostgres && variants)
        {
            // The same database and pages again, without the node's prepared statements (as before they were), and with
            // Npgsql's automatic preparation of every command it repeats: what each costs the node and PostgreSQL per page.
            lines.AddRange(await MeasureAsync(database, engine, ", KAMACHAT_DB_PREPARE=off", new Dictionary<string, string> { ["KAMACHAT_DB_PREPARE"] = "off" },
                big, small, messages, readers, requests));
            lines.AddRange(await MeasureAsync(database, engine, ", KAMACHAT_DB_PREPARE=off + Max Auto Prepare",
                new Dictionary<string, string> { ["KAMACHAT_DB_PREPARE"] = "off", ["DATABASE_URL"] = database.Url + ";Max Auto Prepare=64;Auto Prepare Min Usages=2" },
                big, small, messages, readers, requests));
        }
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>One node on the seeded database (with <paramref name="settings"/> on top), its pages measured class by class.</summary>
    private static async Task<List<string>> MeasureAsync(SearchDatabase database, string engine, string variant, Dictionary<string, string> settings,
        Snowflake big, Snowflake small, int messages, int readers, int requests)
    {
        void Log(string line) => Console.WriteLine($"[{engine}{variant}] {line}");
        var environment = new Dictionary<string, string> { ["DATABASE_URL"] = database.Url, ["KAMACHAT_MIGRATE"] = "false" };
        foreach (var (name, value) in settings)
            environment[name] = value;
        await using var server = await ServerUnderTest.StartAsync(environment);
        var reader = await server.RegisterAsync($"reader_{Guid.NewGuid():N}"[..18]);
        await using (var db = database.Context())
        {
            db.Members.Add(new Member { ServerId = database.ServerId, UserId = reader.User.Id, JoinedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        // PostgreSQL's work for a page is CPU the node's figure does not hold (its backends are other processes); SQLite's
        // is in the node's own process, so there the node's CPU is the whole.
        var postmaster = database.IsPostgres ? await database.PostmasterAsync() : null;
        TimeSpan DatabaseCpu() => postmaster is { } pid ? ProcessCpu.TreeOf(pid) : TimeSpan.Zero;
        var (first, last) = (database.FirstMessageId.Value, database.LastMessageId.Value);
        var classes = new[]
        {
            new PageClass($"{SmallChannelMessages:N0}-message channel, newest page (baseline)", _ => $"api/v1/channels/{small}/messages?limit={PageSize}"),
            new PageClass($"{messages:N0}-message channel, newest page", _ => $"api/v1/channels/{big}/messages?limit={PageSize}"),
            new PageClass($"{messages:N0}-message channel, before= anywhere", random => $"api/v1/channels/{big}/messages?limit={PageSize}&before={first + (long)(random.NextDouble() * (last - first))}"),
        };
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = readers }) { BaseAddress = server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", reader.AccessToken);

        // Unmeasured first: JIT, connection pools, the database's cache of the pages these reads touch. Tiered compilation
        // goes on recompiling the hot path (instrumented, then optimized) for seconds after its first calls, so rounds go
        // on until one compiles fewer than SettledJitMethods methods: a node still compiling paid its JIT in the measured
        // pages' CPU.
        for (var round = 1; round <= WarmUpRounds; round++)
        {
            var jitted = await server.JitCompiledMethodsAsync();
            foreach (var pageClass in classes)
                await ReadAsync(http, pageClass, readers, Math.Max(10, requests / 10), new Random(round));
            var compiled = await server.JitCompiledMethodsAsync() - jitted;
            Log($"warm-up round {round}: {compiled:N0} methods compiled");
            await Task.Delay(1000);
            if (compiled < SettledJitMethods)
                break;
        }

        // Two rounds, classes alternating, so a drift in the machine's load falls on every class alike. Server times come
        // from the histogram's growth across each class's window.
        var client = classes.ToDictionary(c => c.Name, _ => new List<double>());
        var serverBuckets = classes.ToDictionary(c => c.Name, _ => new Dictionary<double, double>());
        var cpu = classes.ToDictionary(c => c.Name, _ => TimeSpan.Zero);
        var databaseCpu = classes.ToDictionary(c => c.Name, _ => TimeSpan.Zero);
        var queries = classes.ToDictionary(c => c.Name, _ => 0L);
        var allocated = classes.ToDictionary(c => c.Name, _ => 0L);
        var random = new Random(20261201);
        for (var round = 0; round < 2; round++)
        {
            foreach (var pageClass in round == 0 ? classes : classes.Reverse())
            {
                var before = await server.RequestDurationBucketsAsync("/messages", "GET");
                var (cpuBefore, databaseCpuBefore, queriesBefore, allocatedBefore) = (server.CpuTime(), DatabaseCpu(), await server.DatabaseCommandsAsync(), await server.AllocatedBytesAsync());
                client[pageClass.Name].AddRange(await ReadAsync(http, pageClass, readers, requests / 2, random));
                cpu[pageClass.Name] += server.CpuTime() - cpuBefore;
                databaseCpu[pageClass.Name] += DatabaseCpu() - databaseCpuBefore;
                queries[pageClass.Name] += await server.DatabaseCommandsAsync() - queriesBefore;
                allocated[pageClass.Name] += await server.AllocatedBytesAsync() - allocatedBefore;
                var after = await server.RequestDurationBucketsAsync("/messages", "GET");
                foreach (var (le, count) in after)
                    serverBuckets[pageClass.Name][le] = serverBuckets[pageClass.Name].GetValueOrDefault(le) + count - before.GetValueOrDefault(le);
            }
        }

        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"== {engine}{variant}: GET /channels/{{id}}/messages?limit={PageSize}, {readers} readers, {requests * readers:N0} pages per class"),
            string.Create(CultureInfo.InvariantCulture, $"{"class",-48} {"server p50",11} {"server p99",11} {"<= 5 ms",8} {"node CPU",9} {"DB CPU",9} {"alloc/page",10} {"SQL/page",9} | {"client p50",11} {"client p99",11}"),
        };
        var baselineP99 = double.NaN;
        foreach (var pageClass in classes)
        {
            var buckets = serverBuckets[pageClass.Name];
            var (p50, p99) = (Quantile(buckets, 0.50) * 1000, Quantile(buckets, 0.99) * 1000);
            var within = buckets.GetValueOrDefault(0.005) / Math.Max(1, buckets.GetValueOrDefault(double.PositiveInfinity));
            if (double.IsNaN(baselineP99))
                baselineP99 = p99;
            var pages = (double)(readers * (requests / 2) * 2);
            var (cpuPerPage, sqlPerPage) = (cpu[pageClass.Name].TotalMilliseconds / pages, queries[pageClass.Name] / pages);
            var databaseCpuPerPage = postmaster is null ? "in node" : string.Create(CultureInfo.InvariantCulture, $"{databaseCpu[pageClass.Name].TotalMilliseconds / pages:N2} ms");
            // The scrapes themselves allocate a little on the server; across thousands of pages it is noise.
            var kibPerPage = allocated[pageClass.Name] / 1024.0 / pages;
            var ratio = pageClass == classes[0] ? "" : string.Create(CultureInfo.InvariantCulture, $"   server p99 {p99 / baselineP99:N2}x baseline");
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{pageClass.Name,-48} {p50,8:N2} ms {p99,8:N2} ms {within,8:P1} {cpuPerPage,6:N2} ms {databaseCpuPerPage,9} {kibPerPage,6:N0} KiB {sqlPerPage,9:N1} | {Machine.Percentile(client[pageClass.Name], 0.50),8:N2} ms {Machine.Percentile(client[pageClass.Name], 0.99),8:N2} ms{ratio}"));
        }
        lines.Add($"load average (1, 5, 15 min; {Environment.ProcessorCount} cores): {Machine.LoadAverage()}; server times are interpolated within the node's request-duration buckets (0.5, 1, 2, 3, 4, 5, 7.5, 10 ms, …)");
        foreach (var line in lines)
            Log(line);
        return lines;
    }

    /// <summary>A second, ordinary channel of the same server: the baseline's history.</summary>
    private static async Task<Snowflake> SeedSmallChannelAsync(SearchDatabase database)
    {
        var ids = new SnowflakeGenerator(1, TimeProvider.System);
        var channelId = ids.NextId();
        await using var db = database.Context();
        db.Channels.Add(new Channel { Id = channelId, ServerId = database.ServerId, Type = ChannelType.Text, Name = "small", CreatedAt = DateTimeOffset.UtcNow });
        for (var i = 0; i < SmallChannelMessages; i++)
            db.Messages.Add(new Message
            {
                Id = ids.NextId(), ChannelId = channelId, AuthorId = database.UserIds[i % database.UserIds.Count],
                Content = $"message {i} of the small channel", CreatedAt = DateTimeOffset.UtcNow, Sequence = i + 1,
            });
        await db.SaveChangesAsync();
        return channelId;
    }

    /// <summary>Each reader reads its share of pages one after another; returns each page's time as the reader saw it, in ms.</summary>
    private static async Task<List<double>> ReadAsync(HttpClient http, PageClass pageClass, int readers, int perReader, Random random)
    {
        var paths = Enumerable.Range(0, readers * perReader).Select(_ => pageClass.Path(random)).ToArray();
        var times = new double[paths.Length];
        await Task.WhenAll(Enumerable.Range(0, readers).Select(reader => Task.Run(async () =>
        {
            for (var i = reader; i < paths.Length; i += readers)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(paths[i], HttpCompletionOption.ResponseContentRead);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (!response.IsSuccessStatusCode)
                    throw new InvalidOperationException($"GET {paths[i]}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        })));
        return [.. times];
    }

    /// <summary>The q-quantile of a cumulative histogram (upper bound → count), interpolated linearly within its bucket.</summary>
    private static double Quantile(Dictionary<double, double> cumulative, double q)
    {
        var bounds = cumulative.Keys.Order().ToList();
        var total = cumulative.GetValueOrDefault(double.PositiveInfinity);
        if (total <= 0)
            return double.NaN;
        var rank = q * total;
        var (lowerBound, lowerCount) = (0.0, 0.0);
        foreach (var bound in bounds)
        {
            var count = cumulative[bound];
            if (count >= rank)
                return double.IsPositiveInfinity(bound) ? lowerBound : lowerBound + (bound - lowerBound) * (rank - lowerCount) / Math.Max(1e-9, count - lowerCount);
            (lowerBound, lowerCount) = (bound, count);
        }
        return lowerBound;
    }
}
