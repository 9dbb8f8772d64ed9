using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using KamaChat.Server.Features.Search;
using KamaChat.Server.Infrastructure.Ids;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SQLitePCL;

namespace KamaChat.Bench;

/// <summary>
/// ./kamachat bench search: a million-message history on SQLite and on PostgreSQL; per engine the latency of each query
/// class through the search service, the same queries as a plain LIKE '%…%' scan (the in-run baseline), the index size
/// next to the table size, how long indexing the existing history took, and send throughput through the HTTP API
/// without and with the index.
/// </summary>
public static class SearchBench
{
    private const int Senders = 8;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var engines = options.Engine == "both" ? ["sqlite", "postgres"] : new[] { options.Engine };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"search bench: {options.Messages:N0} messages, {SearchDatabase.Channels} channels, {SearchDatabase.Authors:N0} authors, {options.Queries} queries per class, {Environment.ProcessorCount} cores{SearchDatabase.PostgresFsyncNote(options)}"));
        var reports = new List<string>();
        foreach (var engine in engines)
            reports.Add(await RunEngineAsync(engine, options));
        Console.WriteLine();
        foreach (var report in reports)
            Console.WriteLine(report);
        return 0;
    }

    private static async Task<string> RunEngineAsync(string engine, BenchOptions options)
    {
        void Log(string line) => Console.WriteLine($"[{engine}] {line}");
        var loadAtStart = Machine.LoadAverage();
        await using var plain = await SearchDatabase.CreateAsync(engine, productionMemory: options.PostgresMemory != "default", fsync: options.PostgresFsync);
        await plain.MigrateWithoutSearchAsync();
        var corpus = new SearchCorpus(seed: 20261130);
        var clock = Stopwatch.StartNew();
        await plain.SeedAsync(corpus, options.Messages, p => Log("seeded " + p));
        Log($"seeded in {clock.Elapsed.TotalSeconds:N0} s; copying it for the indexed side …");
        // The same history twice: one copy gets the search index (as an upgrade would), the other stays without, so
        // sends can be measured on both in alternating batches and a busy machine's drift falls on both sides alike.
        await using var indexed = await plain.CloneAsync();
        var indexing = await indexed.ApplySearchMigrationAsync();
        Log($"indexed {options.Messages:N0} existing messages in {indexing.TotalSeconds:N0} s");
        var (tableBytes, indexBytes) = await indexed.SizesAsync();

        var contents = Enumerable.Range(0, (options.Sends + options.Warmup) * 2).Select(_ => corpus.NextMessage()).ToList();
        var (withoutIndex, withIndex, cpuWithout, cpuWith, work) = await SendThroughputAsync(plain, indexed, contents, options.Sends, options.Warmup);
        Log(string.Create(CultureInfo.InvariantCulture,
            $"sends without the index: {withoutIndex:N0}/s, {cpuWithout:N2} ms server CPU each; with it: {withIndex:N0}/s, {cpuWith:N2} ms"));
        Log(work);

        var sendsLine = string.Create(CultureInfo.InvariantCulture,
            $"sends through HTTP ({Senders} senders, {options.Sends:N0} messages per side in alternating batches of {SendBatch}, after {options.Warmup:N0} each to warm up): without index {withoutIndex:N0}/s, with index {withIndex:N0}/s ({100.0 * withIndex / withoutIndex:N0}% of no index); server CPU per send (/proc) without {cpuWithout:N2} ms, with {cpuWith:N2} ms (sends per CPU second with the index: {100.0 * cpuWithout / cpuWith:N0}% of without)");
        var memory = await plain.MemorySettingsAsync();
        string LoadLine() => $"load average (1, 5, 15 min; {Environment.ProcessorCount} cores, shared): {loadAtStart} at the start of this engine's run, {Machine.LoadAverage()} at its end"
            + (memory.Length == 0 ? "" : $"; PostgreSQL {memory}");
        if (options.SendsOnly)
            return string.Join(Environment.NewLine, $"== {engine}: {options.Messages:N0} messages; sends only", LoadLine(), sendsLine, work);

        var pending = await indexed.PendingSearchRowsAsync();
        if (pending is { } waiting)
            Log($"{waiting:N0} sent messages not indexed yet (the searches read them beside the index)");
        var classes = SearchQueries.Build(corpus, indexed, options.Queries);
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"== {engine}: {options.Messages:N0} messages; {options.Queries} queries per class through MessageSearch (newest first, page of 25, total capped at 1,000); LIKE baseline on the first {Math.Min(options.BaselineQueries, options.Queries)} of each, run alternately with them"),
            string.Create(CultureInfo.InvariantCulture, $"{"class",-26} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"avg hits",9} | {"LIKE p50",9} {"LIKE p95",9} {"p95 x faster",13}"),
        };
        var blocks = await indexed.BlocksAsync();
        foreach (var queryClass in classes)
        {
            var (latencies, baseline, averageTotal, pages) = await MeasureAsync(indexed, plain, queryClass.Queries, options.BaselineQueries);
            // PostgreSQL: the indexed database's blocks a search, the warm-up searches included (the LIKE baseline runs on the other copy).
            var blocksAfter = await indexed.BlocksAsync();
            var searches = queryClass.Queries.Count + WarmupSearches;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{queryClass.Name,-26} {Machine.Percentile(latencies, 0.50),8:N2} {Machine.Percentile(latencies, 0.95),8:N2} {Machine.Percentile(latencies, 0.99),8:N2} {averageTotal,9:N0} | {Machine.Percentile(baseline, 0.50),9:N1} {Machine.Percentile(baseline, 0.95),9:N1} {Machine.Percentile(baseline, 0.95) / Machine.Percentile(latencies, 0.95),12:N1}x")
                + (pages.Count == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" | pages p50/p95 {Machine.Percentile(pages, 0.50):N0}/{Machine.Percentile(pages, 0.95):N0}"))
                + (blocks is not { } b || blocksAfter is not { } a ? "" : string.Create(CultureInfo.InvariantCulture,
                    $" | blocks a search: {(a.Read - b.Read) / (double)searches:N0} from the OS, {(a.Hit - b.Hit) / (double)searches:N0} in shared buffers"));
            blocks = blocksAfter;
            Log(line);
            lines.Add(line);
        }
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"messages table (with its other indexes) {tableBytes / 1048576.0:N0} MiB; search index {indexBytes / 1048576.0:N0} MiB ({100.0 * indexBytes / tableBytes:N0}% of the table{(engine == "postgres" ? "; the trigram and bigram indexes plus the folded copy of the content" : "")}); indexing the existing {options.Messages:N0} messages took {indexing.TotalSeconds:N0} s"));
        lines.Add(LoadLine());
        lines.Add(sendsLine);
        lines.Add(work);
        return string.Join(Environment.NewLine, lines);
    }

    private const int SendBatch = 100;

    /// <summary>After the last batch, time for work a node does after its sends (SQLite's search indexing runs once a second).</summary>
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(2);

    /// <summary>Unmeasured searches before each class's measured ones.</summary>
    private const int WarmupSearches = 5;

    /// <summary>
    /// Messages per second sent through POST /messages by concurrent senders to two servers at once, one on each copy of
    /// the history: after a warm-up on both, batches go to one and then the other (ABBA), each side's time summed; and
    /// each server's CPU per send over its batches (from /proc, which a loaded machine's waiting does not inflate).
    /// </summary>
    /// <returns>Also, per side, the work the measured sends did by counts the machine's load does not change (see <see cref="SendWork"/>).</returns>
    private static async Task<(double Without, double With, double CpuWithout, double CpuWith, string Work)> SendThroughputAsync(
        SearchDatabase plain, SearchDatabase indexed, List<string> contents, int sends, int warmup)
    {
        var environment = new Dictionary<string, string>
        {
            ["KAMACHAT_MIGRATE"] = "false",
            ["JWT_SECRET"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)),
        };
        await using var without = await ServerUnderTest.StartAsync(new Dictionary<string, string>(environment) { ["DATABASE_URL"] = plain.Url });
        await using var with = await ServerUnderTest.StartAsync(new Dictionary<string, string>(environment) { ["DATABASE_URL"] = indexed.Url });
        var sides = new[] { (Server: without, Database: plain, Tokens: await SendersAsync(without, plain)), (Server: with, Database: indexed, Tokens: await SendersAsync(with, indexed)) };
        var next = 0;
        foreach (var side in sides)
        {
            await SendAllAsync(side.Server, side.Database, side.Tokens, contents.Skip(next).Take(warmup).ToList());
            next += warmup;
        }
        var before = new SendWork[2];
        for (var s = 0; s < 2; s++)
            before[s] = await SendWork.OfAsync(sides[s].Server);
        var elapsed = new TimeSpan[2];
        var cpu = new TimeSpan[2];
        // PostgreSQL: its server's CPU during each side's batches too (one server holds both databases, but only one side
        // sends at a time), where the index is kept up: the node's own CPU does not see it.
        var postmaster = plain.IsPostgres ? await plain.PostmasterAsync() : null;
        TimeSpan DatabaseCpu() => postmaster is { } pid ? ProcessCpu.TreeOf(pid) : TimeSpan.Zero;
        var databaseCpu = new TimeSpan[2];
        // Each side's CPU over the whole measurement as well, the other side's batches and a drain after the last one
        // included: SQLite indexes for search after the sends (SqliteSearchIndexer, once a second), often while the other
        // side sends, which the per-batch CPU would not see.
        var wholeBefore = sides.Select(side => ProcessCpu.Of(side.Server.ProcessId)).ToArray();
        var rounds = Math.Max(1, sends / SendBatch);
        for (var round = 0; round < rounds; round++)
        {
            foreach (var s in round % 2 == 0 ? new[] { 0, 1 } : [1, 0])
            {
                var batch = contents.Skip(warmup * 2 + (round * 2 + s) * SendBatch).Take(SendBatch).ToList();
                var (cpuBefore, databaseCpuBefore) = (ProcessCpu.Of(sides[s].Server.ProcessId), DatabaseCpu());
                var clock = Stopwatch.StartNew();
                await SendAllAsync(sides[s].Server, sides[s].Database, sides[s].Tokens, batch);
                elapsed[s] += clock.Elapsed;
                cpu[s] += ProcessCpu.Of(sides[s].Server.ProcessId) - cpuBefore;
                databaseCpu[s] += DatabaseCpu() - databaseCpuBefore;
            }
        }
        await Task.Delay(Drain);
        var whole = sides.Select((side, s) => ProcessCpu.Of(side.Server.ProcessId) - wholeBefore[s]).ToArray();
        var sent = rounds * SendBatch;
        var work = new string[2];
        for (var s = 0; s < 2; s++)
            work[s] = (await SendWork.OfAsync(sides[s].Server)).Since(before[s], sent);
        return (sent / elapsed[0].TotalSeconds, sent / elapsed[1].TotalSeconds, cpu[0].TotalMilliseconds / sent, cpu[1].TotalMilliseconds / sent,
            $"measured sends' work, without index: {work[0]}; with index: {work[1]}"
            + string.Create(CultureInfo.InvariantCulture,
                $"; server CPU per send over the whole measurement (both sides' batches and {Drain.TotalSeconds:N0} s after the last): without {whole[0].TotalMilliseconds / sent:N2} ms, with {whole[1].TotalMilliseconds / sent:N2} ms")
            + (postmaster is null ? "" : string.Create(CultureInfo.InvariantCulture,
                $"; PostgreSQL's CPU per send (its processes, /proc): without {databaseCpu[0].TotalMilliseconds / sent:N2} ms, with {databaseCpu[1].TotalMilliseconds / sent:N2} ms")));
    }

    /// <summary>
    /// Counters of a server's sends from /metrics: commits and the sends they carried, SQL commands, managed bytes
    /// allocated, and methods JIT-compiled (a server still compiling spends its CPU there, not on the sends).
    /// </summary>
    private sealed record SendWork(double Commits, double Committed, long Commands, long Allocated, long Jitted)
    {
        public static async Task<SendWork> OfAsync(ServerUnderTest server)
        {
            var samples = await server.MetricsAsync();
            double Sum(string name) => samples.Where(sample => sample.Name == name).Sum(sample => sample.Value);
            return new SendWork(Sum("kamachat_messages_send_batch_count"), Sum("kamachat_messages_send_batch_sum"),
                (long)Sum("kamachat_db_commands_total"), (long)Sum("dotnet_gc_heap_total_allocated_bytes_total"), (long)Sum("dotnet_jit_compiled_methods_total"));
        }

        public string Since(SendWork before, int sends) => string.Create(CultureInfo.InvariantCulture,
            $"{(Committed - before.Committed) / Math.Max(1, Commits - before.Commits):N2} sends per commit, {(Commands - before.Commands) / (double)sends:N2} SQL commands and {(Allocated - before.Allocated) / 1024.0 / sends:N1} KiB allocated per send, {Jitted - before.Jitted:N0} methods JIT-compiled");
    }

    /// <summary>Sender accounts registered through the API, made members of the bench server.</summary>
    private static async Task<List<string>> SendersAsync(ServerUnderTest server, SearchDatabase database)
    {
        var tokens = new List<string>();
        var ids = new List<Snowflake>();
        for (var i = 0; i < Senders; i++)
        {
            var registered = await server.RegisterAsync($"sender{i}_{Guid.NewGuid():N}"[..20]);
            tokens.Add(registered.AccessToken);
            ids.Add(registered.User.Id);
        }
        await using var db = database.Context();
        foreach (var id in ids)
            db.Members.Add(new Server.Features.Servers.Member { ServerId = database.ServerId, UserId = id, JoinedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        await db.Users.Where(u => ids.Contains(u.Id)).ExecuteUpdateAsync(s => s.SetProperty(u => u.EmailConfirmed, true));
        return tokens;
    }

    /// <summary>Sends every message through POST /messages, the senders sharing the list, round-robin over the channels.</summary>
    private static async Task SendAllAsync(ServerUnderTest server, SearchDatabase database, List<string> tokens, List<string> contents)
    {
        var next = -1;
        await Task.WhenAll(tokens.Select(async token =>
        {
            while (Interlocked.Increment(ref next) is var i && i < contents.Count)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/channels/{database.ChannelIds[i % database.ChannelIds.Count]}/messages")
                {
                    Content = JsonContent.Create(new { content = contents[i] }),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await server.Http.SendAsync(request);
                if (!response.IsSuccessStatusCode)
                    throw new InvalidOperationException($"send failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }));
    }

    /// <summary>Each query through the search service on the indexed copy, the first few also as a LIKE scan on the plain one right after it.</summary>
    private static async Task<(List<double> Latencies, List<double> Baseline, double AverageTotal, List<double> Pages)> MeasureAsync(
        SearchDatabase indexed, SearchDatabase plain, List<string> queries, int baselineQueries)
    {
        var latencies = new List<double>(queries.Count);
        var pages = new List<double>();
        var baseline = new List<double>();
        var totals = 0L;
        // A few unmeasured queries first: connection pools, JIT, the database's cache of the index's upper pages.
        foreach (var q in queries.Take(WarmupSearches))
            await SearchOnceAsync(indexed, q);
        for (var i = 0; i < queries.Count; i++)
        {
            var (elapsed, total, pagesRead) = await SearchOnceAsync(indexed, queries[i]);
            latencies.Add(elapsed);
            if (pagesRead >= 0)
                pages.Add(pagesRead);
            // KAMACHAT_BENCH_QUERY_LOG=file: every query with its time and total, to find the slow ones and EXPLAIN them.
            if (Environment.GetEnvironmentVariable("KAMACHAT_BENCH_QUERY_LOG") is { Length: > 0 } log)
                await File.AppendAllTextAsync(log, string.Create(CultureInfo.InvariantCulture, $"{indexed.Engine}\t{elapsed:F1}\t{total}\t{pagesRead}\t{queries[i]}\n"));
            totals += total;
            if (i < baselineQueries)
                baseline.Add(await LikeOnceAsync(plain, queries[i]));
        }
        return (latencies, baseline, totals / (double)queries.Count, pages);
    }

    /// <summary>
    /// One search: its time, its total, and on SQLite the pages it asked SQLite's page cache for (hits and misses of the
    /// connection, the database's own work whatever the machine's load; -1 on PostgreSQL).
    /// </summary>
    private static async Task<(double Milliseconds, int Total, long Pages)> SearchOnceAsync(SearchDatabase database, string q)
    {
        var parsed = SearchQueryParser.Parse(q);
        if (!parsed.IsValid)
            throw new InvalidOperationException($"bench query '{q}': {string.Join("; ", parsed.Errors)}");
        await using var db = database.Context();
        var search = new MessageSearch(db, new UpperInvariantLookupNormalizer(), Options.Create(new SearchOptions()), database.TrigramSamples);
        var sqlite = db.Database.GetDbConnection() as SqliteConnection;
        if (sqlite is not null)
        {
            // Opened here, so the search's own open and close leave it open to be read after.
            await db.Database.OpenConnectionAsync();
            PagesRead(sqlite, reset: true);
        }
        var clock = Stopwatch.StartNew();
        var results = await search.SearchAsync(parsed.Query, database.ChannelIds, SearchSort.Newest, 0, 25, CancellationToken.None);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        return (elapsed, results.Total, sqlite is null ? -1 : PagesRead(sqlite, reset: false));
    }

    internal static long PagesRead(SqliteConnection connection, bool reset)
    {
        var flag = reset ? 1 : 0;
        raw.sqlite3_db_status(connection.Handle, raw.SQLITE_DBSTATUS_CACHE_HIT, out var hits, out _, flag);
        raw.sqlite3_db_status(connection.Handle, raw.SQLITE_DBSTATUS_CACHE_MISS, out var misses, out _, flag);
        return hits + misses;
    }

    /// <summary>The baseline: the same words as plain LIKE '%…%' conditions (and the same filters), newest first, up to 1,001 rows.</summary>
    private static async Task<double> LikeOnceAsync(SearchDatabase database, string q)
    {
        var query = SearchQueryParser.Parse(q).Query;
        await using var db = database.Context();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        var conditions = new List<string>();
        void Parameter(string name, object value)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        for (var i = 0; i < query.Include.Count; i++)
        {
            conditions.Add($"\"Content\" LIKE @t{i} ESCAPE '\\'");
            Parameter($"@t{i}", "%" + query.Include[i].Text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%");
        }
        List<Snowflake> channels = query.InChannelNames.Count > 0
            ? [database.ChannelIds[int.Parse(query.InChannelNames[0]["channel-".Length..], CultureInfo.InvariantCulture)]]
            : database.ChannelIds;
        conditions.Add($"\"ChannelId\" IN ({string.Join(",", channels)})");
        if (query.FromUsernames.Count > 0)
            conditions.Add($"\"AuthorId\" = {database.UserIds[int.Parse(query.FromUsernames[0]["user".Length..], CultureInfo.InvariantCulture)]}");
        if (query.BeforeId is { } before)
            conditions.Add($"\"Id\" < {before}");
        if (query.AfterId is { } after)
            conditions.Add($"\"Id\" > {after}");
        command.CommandText = $"SELECT \"Id\" FROM messages WHERE {string.Join(" AND ", conditions)} ORDER BY \"Id\" DESC LIMIT 1001";
        var clock = Stopwatch.StartNew();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
            {
            }
        return clock.Elapsed.TotalMilliseconds;
    }
}

