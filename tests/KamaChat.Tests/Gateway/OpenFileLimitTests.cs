using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.RegularExpressions;
using KamaChat.Server.Infrastructure.Http;
using KamaChat.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace KamaChat.Tests.Gateway;

/// <summary>
/// A node whose clients open more sockets than it may hold files: it refuses the excess and serves the rest. The node
/// runs as its own process under a low open-file limit, as systemd's LimitNOFILE sets it (lower here, to stay quick).
/// </summary>
[Trait("Provider", "sqlite")]
public sealed partial class OpenFileLimitTests
{
    private const int OpenFileLimit = 1024;
    // More than the limit leaves beside the ~400 files an idle node holds: without a bound the node runs out.
    private const int Flood = 800;

    [Fact]
    public void The_budget_keeps_a_reserve_for_the_node_and_adds_up_within_the_limit()
    {
        Assert.Equal((128, 384), ConnectionLimits.Budget(1024));
        // systemd's LimitNOFILE=65536: a tenth kept back.
        var (connections, upgraded) = ConnectionLimits.Budget(65536);
        Assert.Equal(65536 - 6553, connections + upgraded);
        Assert.Equal(14745, connections);
    }

    [Fact]
    public void The_open_file_limit_is_the_soft_one_and_unlimited_is_none()
    {
        var limits = Path.GetTempFileName();
        try
        {
            File.WriteAllText(limits, """
                Limit                     Soft Limit           Hard Limit           Units
                Max processes             95893                95893                processes
                Max open files            1500                 20000                files
                """);
            Assert.Equal(1500, ConnectionLimits.OpenFileLimit(limits));
            File.WriteAllText(limits, "Max open files            unlimited            unlimited            files\n");
            Assert.Null(ConnectionLimits.OpenFileLimit(limits));
        }
        finally
        {
            File.Delete(limits);
        }
    }

    [Fact]
    public async Task A_node_with_more_clients_than_files_refuses_the_excess_and_serves_the_rest()
    {
        var (port, data) = (ServiceProcess.FreeLoopbackPort(), Directory.CreateTempSubdirectory("kamachat-fdlimit-").FullName);
        await using var node = await StartNodeAsync(port, data, new() { ["Logging__LogLevel__Default"] = "Warning" });
        var address = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { BaseAddress = address };
        var tokens = await http.RegisterAsync();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        var user = new TestUser(tokens.User.Id, tokens.User.Username, tokens, http);
        var channel = await user.CreateChannelAsync((await user.CreateServerAsync()).Id, "flood");
        await using var listener = await GatewayClient.ConnectAsync(address, tokens.AccessToken);
        await listener.ReadyAsync();

        // The flood: WebSockets that upgrade and then hold their socket, as idle clients do.
        var gateway = GatewayAddress.Of(address, tokens.AccessToken);
        var open = new List<ClientWebSocket>();
        var refused = new List<(HttpStatusCode Status, string? RetryAfter)>();
        using var gate = new SemaphoreSlim(32);
        await Task.WhenAll(Enumerable.Range(0, Flood).Select(async _ =>
        {
            await gate.WaitAsync();
            var socket = new ClientWebSocket { Options = { CollectHttpResponseDetails = true } };
            try
            {
                await socket.ConnectAsync(gateway, CancellationToken.None);
                lock (open)
                    open.Add(socket);
            }
            catch (WebSocketException)
            {
                lock (refused)
                    refused.Add((socket.HttpStatusCode, socket.HttpResponseHeaders?.GetValueOrDefault("Retry-After")?.SingleOrDefault()));
                socket.Dispose();
            }
            finally
            {
                gate.Release();
            }
        }));

        try
        {
            Assert.False(node.HasExited, node.Output);
            var (_, upgraded) = ConnectionLimits.Budget(OpenFileLimit);
            // The listener holds one of the node's WebSockets.
            Assert.Equal(upgraded - 1, open.Count);
            Assert.Equal(Flood - open.Count, refused.Count);
            Assert.All(refused, r => Assert.Equal((HttpStatusCode.ServiceUnavailable, "10"), r));

            // Those already connected are served: a message sent over HTTP reaches the listener.
            await http.SendOkAsync(channel.Id, "still here");
            var created = await listener.WaitForEventAsync("MessageCreated");
            Assert.Equal("still here", GatewayClient.Data(created).GetProperty("content").GetString());
            Assert.True((await http.GetAsync("healthz")).IsSuccessStatusCode);
        }
        finally
        {
            foreach (var socket in open)
                socket.Dispose();
        }

        // Once clients leave, a refused client gets in on its next attempt, as the web client's reconnect loop makes it.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                await using var again = await GatewayClient.ConnectAsync(address, tokens.AccessToken);
                await again.ReadyAsync();
                break;
            }
            catch (Exception e) when (e is HttpRequestException or WebSocketException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
        Assert.False(node.HasExited, node.Output);
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task A_node_says_at_start_up_what_limits_it_took_and_counts_the_plain_connections_it_refuses_instead_of_logging_each()
    {
        const int PlainLimit = 20;
        var (port, data) = (ServiceProcess.FreeLoopbackPort(), Directory.CreateTempSubdirectory("kamachat-fdlimit-").FullName);
        await using var node = await StartNodeAsync(port, data,
            new() { [ConnectionLimitOptions.ConnectionsVariable] = PlainLimit.ToString(CultureInfo.InvariantCulture) });

        // Plain connections that each ask for /healthz and hold on: those within the limit are answered, the rest closed.
        var clients = new List<TcpClient>();
        var (answered, refused) = (0, 0);
        try
        {
            for (var i = 0; i < 3 * PlainLimit; i++)
            {
                var client = new TcpClient();
                clients.Add(client);
                await client.ConnectAsync(IPAddress.Loopback, port);
                if (await AnsweredAsync(client.GetStream()))
                    answered++;
                else
                    refused++;
            }
        }
        finally
        {
            foreach (var client in clients)
                client.Dispose();
        }
        Assert.InRange(answered, 1, PlainLimit);
        await node.StopAsync(TimeSpan.FromSeconds(60));

        var output = node.Output;
        Assert.Contains("Connection limits: WebSockets 384 (computed), plain HTTP connections 20 (set by Kestrel__Limits__MaxConcurrentConnections); " +
            "open-file limit 1024 (/proc/self/limits), 512 of it kept back for the node's own files", output, StringComparison.Ordinal);
        Assert.DoesNotContain("rejected because the maximum number of concurrent connections", output, StringComparison.Ordinal);
        // The first refusal at once, the others within its minute as the node stops.
        var counts = RefusedLine().Matches(output).Select(m => int.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([1, refused - 1], counts);
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public void What_the_operator_sets_wins_and_the_rest_is_computed()
    {
        var options = Bind(new() { [ConnectionLimits.ConnectionsKey] = "20", [ConnectionLimits.UpgradedConnectionsKey] = " " }, 1024);
        Assert.Equal((20L, true, 384L, false, 512L), (options.Connections, options.ConnectionsFromOperator,
            options.UpgradedConnections, options.UpgradedConnectionsFromOperator, options.Reserve));
        Assert.Empty(options.Errors);

        var unlimited = Bind(new() { [ConnectionLimits.UpgradedConnectionsKey] = "5000" }, openFileLimit: null);
        Assert.Equal((null, 5000L, true), (unlimited.Connections, unlimited.UpgradedConnections, unlimited.UpgradedConnectionsFromOperator));
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1.5")]
    public void A_limit_that_is_not_a_positive_whole_number_is_refused_naming_the_variable_and_what_it_takes(string value)
    {
        var options = Bind(new() { [ConnectionLimits.UpgradedConnectionsKey] = value }, 1024);
        Assert.Equal($"Kestrel__Limits__MaxConcurrentUpgradedConnections must be a positive whole number of connections, " +
            $"or empty for the limit computed from the open-file limit (got '{value}').", Assert.Single(options.Errors));
    }

    [Fact]
    public void Refusals_are_reported_at_once_then_at_most_once_a_minute_with_how_many_since_the_last_report()
    {
        var clock = new StepClock();
        var reports = new List<long>();
        using var refusals = new RefusalLog(clock, reports.Add);

        refusals.Refused();
        Assert.Equal([1], reports);
        for (var i = 0; i < 99; i++)
            refusals.Refused();
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal([1], reports);
        // Reported when the minute is up, without waiting for another refusal to come.
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([1, 99], reports);

        refusals.Refused();
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal([1, 99], reports);
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal([1, 99, 1], reports);

        // After a quiet minute, at once again; nothing left over to flush.
        clock.Advance(TimeSpan.FromMinutes(5));
        refusals.Refused(3);
        refusals.Flush();
        Assert.Equal([1, 99, 1, 3], reports);
        Assert.Equal(0, clock.PendingTimers);
    }

    /// <summary>The node as its own process under <see cref="OpenFileLimit"/>, on SQLite, listening on loopback.</summary>
    private static async Task<ServiceProcess> StartNodeAsync(int port, string data, Dictionary<string, string> environment)
    {
        var node = ServiceProcess.Start("prlimit",
            $"--nofile={OpenFileLimit}:{OpenFileLimit} dotnet \"{Path.Combine(AppContext.BaseDirectory, "KamaChat.Server.dll")}\"",
            new Dictionary<string, string>(environment)
            {
                ["NODE_ENV"] = "production",
                ["HOST"] = "127.0.0.1",
                ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
                ["JWT_SECRET"] = KamaChatApp.JwtSecret,
                ["KAMACHAT_DATA_DIR"] = data,
                ["DATABASE_URL"] = "sqlite://" + Path.Combine(data, "kamachat.db"),
                ["KAMACHAT_LOCAL_JANUS"] = "off",
                ["REQUIRE_EMAIL_VERIFICATION"] = "false",
            }, data);
        try
        {
            await node.WaitForPortAsync(port, TimeSpan.FromSeconds(60));
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Whether the node answers a request on the connection (it stays open, kept alive) or closes it unanswered.</summary>
    private static async Task<bool> AnsweredAsync(NetworkStream stream)
    {
        try
        {
            await stream.WriteAsync("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"u8.ToArray());
            return await stream.ReadAsync(new byte[256]) > 0;
        }
        catch (IOException)
        {
            // Closed before (or while) the request was written: refused.
            return false;
        }
    }

    private static ConnectionLimitOptions Bind(Dictionary<string, string?> settings, long? openFileLimit)
    {
        var options = new ConnectionLimitOptions();
        ConnectionLimitOptions.Bind(options, new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), openFileLimit);
        return options;
    }

    [GeneratedRegex(@"Refused (?<count>\d+) plain HTTP connections")]
    private static partial Regex RefusedLine();

    /// <summary>A clock whose timers fire as the test moves it.</summary>
    private sealed class StepClock : TimeProvider
    {
        private readonly List<StepTimer> _timers = [];
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public int PendingTimers => _timers.Count;

        public override DateTimeOffset GetUtcNow() => _now;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new StepTimer(this, () => callback(state), _now + dueTime);
            _timers.Add(timer);
            return timer;
        }

        public void Advance(TimeSpan by)
        {
            _now += by;
            foreach (var timer in _timers.Where(t => t.Due <= _now).ToList())
            {
                _timers.Remove(timer);
                timer.Fire();
            }
        }

        private sealed class StepTimer(StepClock clock, Action fire, DateTimeOffset due) : ITimer
        {
            public DateTimeOffset Due => due;

            public void Fire() => fire();

            public bool Change(TimeSpan dueTime, TimeSpan period) => throw new NotSupportedException();

            public void Dispose() => clock._timers.Remove(this);

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }
}
