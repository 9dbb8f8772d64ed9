using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Servers;
using KamaChat.Server.Infrastructure.Ids;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Bench;

/// <summary>
/// ./kamachat bench connect: how fast gateway connections open (handshake to Ready) on an empty history and on one of
/// N messages in the connecting users' channels — with read states, a few never-read channels and unread mentions of
/// them, of a role of theirs and of @everyone, as real users have — on each database, and the ratio of the two.
/// </summary>
public static class ConnectBench
{
    private const int Users = 20;
    private const int Concurrency = 64;
    private const int WarmUpRounds = 8;
    private const int WarmUpConnections = 200;
    private const int SettledJitMethods = 50;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var engines = options.Engine == "both" ? ["sqlite", "postgres"] : new[] { options.Engine };
        var connections = options.Connections == BenchOptions.DefaultConnections ? 1000 : options.Connections;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"connect bench: {connections:N0} gateway connections ({Users} users, {Concurrency} at a time) on an empty history and on {options.Messages:N0} messages; {Environment.ProcessorCount} cores{SearchDatabase.PostgresFsyncNote(options)}"));
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"{"database",-9} {"history",11} {"conn/s",8} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"failed",7} {"queries/conn",13} {"server CPU ms/conn",19} {"db CPU ms/conn",15} {"bench CPU ms/conn",18} {"load avg",16}"),
        };
        foreach (var engine in engines)
        {
            var empty = await MeasureAsync(engine, 0, connections, options.PostgresFsync);
            lines.Add(empty.Line());
            var full = await MeasureAsync(engine, options.Messages, connections, options.PostgresFsync);
            lines.Add(full.Line());
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{engine,-9} {"ratio",11} {full.PerSecond / empty.PerSecond,8:P0} of the empty history's connections/s"));
            if (engine != "postgres")
                continue;
            // Npgsql's automatic preparation (server-side prepared statements for the commands a connection repeats),
            // on the same history: what it saves the database per connect.
            var prepared = await MeasureAsync(engine, options.Messages, connections, options.PostgresFsync, autoPrepare: true);
            lines.Add(prepared.Line() + "  (Max Auto Prepare)");
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{engine,-9} {"ratio",11} auto-prepare: {prepared.DatabaseCpuMs / full.DatabaseCpuMs:P0} of the database CPU per connection, {prepared.ServerCpuMs / full.ServerCpuMs:P0} of the server's"));
        }
        Console.WriteLine();
        foreach (var line in lines)
            Console.WriteLine(line);
        return 0;
    }

    /// <summary>
    /// One run's figures. The CPU columns (user + system time per opened connection: the server process, PostgreSQL's
    /// processes, this bench's own clients) are steady on a loaded machine where connections/s is not.
    /// </summary>
    private sealed record Measurement(string Engine, int Messages, double PerSecond, double P50, double P95, double P99, int Failed, double QueriesPerConnection,
        double ServerCpuMs, double DatabaseCpuMs, double BenchCpuMs, string Load)
    {
        public string Line() => string.Create(CultureInfo.InvariantCulture,
            $"{Engine,-9} {Messages,11:N0} {PerSecond,8:N0} {P50,8:N1} {P95,8:N1} {P99,8:N1} {Failed,7} {QueriesPerConnection,13:N1} {ServerCpuMs,19:N2} {DatabaseCpuMs,15:N2} {BenchCpuMs,18:N2} {Load,16}");
    }

    private static async Task<Measurement> MeasureAsync(string engine, int messages, int connections, bool fsync, bool autoPrepare = false)
    {
        void Log(string line) => Console.WriteLine($"[{engine}, {messages:N0} messages] {line}");
        await using var database = await SearchDatabase.CreateAsync(engine, fsync: fsync);
        await database.MigrateWithoutSearchAsync();
        var clock = Stopwatch.StartNew();
        // The seeder needs at least one message to spread over its history.
        await database.SeedAsync(new SearchCorpus(seed: 20261201), Math.Max(1, messages), p => Log("seeded " + p));
        Log($"seeded in {clock.Elapsed.TotalSeconds:N0} s");

        await using var server = await ServerUnderTest.StartAsync(new Dictionary<string, string>
        {
            ["DATABASE_URL"] = autoPrepare ? database.Url + ";Max Auto Prepare=64;Auto Prepare Min Usages=2" : database.Url,
            ["KAMACHAT_MIGRATE"] = "false",
        });
        var tokens = new List<string>();
        var names = new List<string>();
        for (var i = 0; i < Users; i++)
        {
            var name = $"conn{i}_{Guid.NewGuid():N}"[..18];
            names.Add(name);
            tokens.Add((await server.RegisterAsync(name)).AccessToken);
        }
        await JoinWithHistoryAsync(database, names);
        Log("members joined with read states and mentions; connecting");

        // Warm the server (JIT, pools, caches) first, then measure. Tiered compilation goes on recompiling the connect
        // path for seconds after its first calls: with only a connection per user it was still compiling through the
        // measured window (the JIT was 18 % of the server's CPU there), so rounds go on until one compiles fewer than
        // SettledJitMethods methods, as in the history bench.
        for (var round = 1; round <= WarmUpRounds; round++)
        {
            var jitted = await server.JitCompiledMethodsAsync();
            for (var batch = 0; batch < WarmUpConnections / Users; batch++)
                foreach (var warm in await Task.WhenAll(tokens.Select(t => ConnectAsync(server.BaseAddress, t))))
                    await warm.Connection.DisposeAsync();
            var compiled = await server.JitCompiledMethodsAsync() - jitted;
            Log($"warm-up round {round}: {compiled:N0} methods compiled");
            await Task.Delay(1000);
            if (compiled < SettledJitMethods)
                break;
        }
        var jittedBefore = await server.JitCompiledMethodsAsync();
        var commandsBefore = await server.DatabaseCommandsAsync();
        var postmaster = database.IsPostgres ? await database.PostmasterAsync() : (int?)null;
        var (serverCpu, databaseCpu, benchCpu) = (server.CpuTime(), postmaster is { } pm ? ProcessCpu.TreeOf(pm) : TimeSpan.Zero, Process.GetCurrentProcess().TotalProcessorTime);
        var opened = new List<HubConnection>(connections);
        var latencies = new List<double>(connections);
        var failed = 0;
        using var gate = new SemaphoreSlim(Concurrency);
        clock.Restart();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var (connection, elapsed) = await ConnectAsync(server.BaseAddress, tokens[i % tokens.Count]);
                lock (opened)
                {
                    opened.Add(connection);
                    latencies.Add(elapsed);
                }
            }
            catch (Exception e) when (e is HttpRequestException or System.Net.WebSockets.WebSocketException or IOException or TimeoutException or OperationCanceledException or Microsoft.AspNetCore.SignalR.HubException)
            {
                Interlocked.Increment(ref failed);
            }
            finally
            {
                gate.Release();
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        var (serverCpuAfter, databaseCpuAfter, benchCpuAfter) = (server.CpuTime(), postmaster is { } p ? ProcessCpu.TreeOf(p) : TimeSpan.Zero, Process.GetCurrentProcess().TotalProcessorTime);
        var commands = await server.DatabaseCommandsAsync() - commandsBefore;
        Log($"{await server.JitCompiledMethodsAsync() - jittedBefore:N0} methods compiled while measuring");
        await Task.WhenAll(opened.Select(c => c.DisposeAsync().AsTask()));
        latencies.Sort();
        double PerConnection(TimeSpan cpu) => cpu.TotalMilliseconds / Math.Max(1, opened.Count);
        var result = new Measurement(engine, messages, opened.Count / seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.95),
            Percentile(latencies, 0.99), failed, commands / (double)Math.Max(1, opened.Count),
            PerConnection(serverCpuAfter - serverCpu), postmaster is null ? double.NaN : PerConnection(databaseCpuAfter - databaseCpu), PerConnection(benchCpuAfter - benchCpu),
            Machine.LoadAverage());
        Log(result.Line());
        return result;
    }

    /// <summary>
    /// Makes the registered users long-standing members of the seeded server: a role of theirs, a read state in most
    /// channels (about 1% of each channel unread; every tenth channel never opened), and mentions of each of them, of
    /// their role and of @everyone spread over the history.
    /// </summary>
    private static async Task JoinWithHistoryAsync(SearchDatabase database, List<string> names)
    {
        await using var db = database.Context();
        var ids = new SnowflakeGenerator(1, TimeProvider.System);
        var normalized = names.Select(n => n.ToUpperInvariant()).ToList();
        var userIds = await db.Users.Where(u => normalized.Contains(u.NormalizedUserName!)).Select(u => u.Id).ToListAsync();
        var roleId = ids.NextId();
        db.Roles.Add(new Role { Id = roleId, ServerId = database.ServerId, Name = "regulars", Position = 1 });
        var joinedAt = DateTimeOffset.UtcNow - SearchDatabase.History - TimeSpan.FromDays(2);
        foreach (var userId in userIds)
        {
            // Join and grant positions 0, before every message: the mention counts' ranges are bounded by the read
            // positions alone, and a never-opened channel's span its whole history (the costliest case).
            db.Members.Add(new Member { ServerId = database.ServerId, UserId = userId, JoinedAt = joinedAt, JoinPosition = default });
            db.MemberRoles.Add(new MemberRole { ServerId = database.ServerId, UserId = userId, RoleId = roleId, GrantPosition = default });
        }
        for (var c = 0; c < database.ChannelIds.Count; c++)
        {
            if (c % 10 == 9)
                continue;
            var channelId = database.ChannelIds[c];
            var count = await db.Messages.CountAsync(m => m.ChannelId == channelId);
            var lastRead = await db.Messages.Where(m => m.ChannelId == channelId).OrderByDescending(m => m.Id)
                .Skip(count / 100).Select(m => m.Id).FirstOrDefaultAsync();
            foreach (var userId in userIds)
                db.ReadStates.Add(new ReadState { UserId = userId, ChannelId = channelId, LastReadMessageId = lastRead, UpdatedAt = DateTimeOffset.UtcNow });
        }
        await db.SaveChangesAsync();

        await db.Database.ExecuteSqlAsync($"""UPDATE messages SET "MentionsEveryone" = {true} WHERE "Sequence" % 5000 = 1""");
        await db.Database.ExecuteSqlAsync($"""INSERT INTO message_mentions ("MessageId", "ChannelId", "AuthorId", "TargetType", "TargetId") SELECT "Id", "ChannelId", "AuthorId", {(int)MentionTarget.Role}, {roleId.Value} FROM messages WHERE "Sequence" % 2000 = 2""");
        for (var i = 0; i < userIds.Count; i++)
            await db.Database.ExecuteSqlAsync($"""INSERT INTO message_mentions ("MessageId", "ChannelId", "AuthorId", "TargetType", "TargetId") SELECT "Id", "ChannelId", "AuthorId", {(int)MentionTarget.User}, {userIds[i].Value} FROM messages WHERE "Sequence" % 1000 = {i + 3}""");
        await WriteEventStreamsAsync(db, database.ServerId);
        await db.Database.ExecuteSqlRawAsync("ANALYZE");
    }

    /// <summary>
    /// The event streams' positions (<c>event_streams</c>) such a history has, which Ready reads for every stream the
    /// user follows: each channel's at its newest message's sequence (a send takes its channel's next number, and the
    /// message keeps it), the server's at one event for each member, role and channel it has had, and every user's at
    /// one for each of their read states (an acknowledgement is an event of the reader's own stream) plus the server
    /// they joined. Without them Ready's joins found no rows and a connect measured cheaper than on a real database.
    /// </summary>
    private static async Task WriteEventStreamsAsync(KamaDbContext db, Snowflake serverId)
    {
        var (channel, server, user) = ((int)EventScope.Channel, (int)EventScope.Server, (int)EventScope.User);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO event_streams ("Scope", "ScopeId", "LastSequence")
            SELECT {channel}, "ChannelId", max("Sequence") FROM messages WHERE true GROUP BY "ChannelId"
            ON CONFLICT ("Scope", "ScopeId") DO UPDATE SET "LastSequence" = excluded."LastSequence"
            """);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO event_streams ("Scope", "ScopeId", "LastSequence")
            SELECT {server}, {serverId.Value}, (SELECT count(*) FROM members WHERE "ServerId" = {serverId.Value})
                + (SELECT count(*) FROM roles WHERE "ServerId" = {serverId.Value}) + (SELECT count(*) FROM channels WHERE "ServerId" = {serverId.Value})
            ON CONFLICT ("Scope", "ScopeId") DO UPDATE SET "LastSequence" = excluded."LastSequence"
            """);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO event_streams ("Scope", "ScopeId", "LastSequence")
            SELECT {user}, u."Id", 1 + (SELECT count(*) FROM read_states r WHERE r."UserId" = u."Id") FROM users u WHERE true
            ON CONFLICT ("Scope", "ScopeId") DO UPDATE SET "LastSequence" = excluded."LastSequence"
            """);
    }

    /// <summary>One gateway connection, open once its Ready has arrived; with the milliseconds that took.</summary>
    public static async Task<(HubConnection Connection, double Milliseconds)> ConnectAsync(Uri baseAddress, string token)
    {
        var started = Stopwatch.GetTimestamp();
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "hubs/gateway"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<JsonElement>("Ready", _ => ready.TrySetResult());
        connection.Closed += e =>
        {
            ready.TrySetException(e ?? new IOException("The gateway closed the connection before Ready."));
            return Task.CompletedTask;
        };
        try
        {
            await connection.StartAsync();
            await ready.Task.WaitAsync(TimeSpan.FromMinutes(2));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        return (connection, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * p))];
}
