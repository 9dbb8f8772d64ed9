using System.Net;
using System.Net.Http.Headers;
using KamaChat.Server.Features.Auth;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Tests.Gateway;

/// <summary>
/// The cluster on services of its own, each restarted while four clients on two nodes receive a stream of 1,000
/// messages: Redis (the backplane), RabbitMQ (the job queue) and PostgreSQL. Nothing is lost or doubled, nothing
/// half-written, and no node needs a restart to recover.
/// </summary>
[Collection(RunAlone.Name)]
public sealed class ClusterChaosTests : Cluster
{
    private const int RestartRedisAt = 200;
    private const int RestartRabbitMqAt = 450;
    private const int RestartPostgresAt = 700;
    private static readonly TimeSpan Downtime = TimeSpan.FromSeconds(2);

    private PostgresInstance _postgres = null!;
    private ServiceProcess _redis = null!;
    private int _redisPort;
    private RabbitMqInstance _rabbitMq = null!;

    protected override async Task<(string DatabaseUrl, string RedisUrl, (string Host, int Port) RabbitMq)> ServicesAsync()
    {
        // Commits flushed before they are acknowledged, as production runs: the restart kills the server, and a commit
        // it had acknowledged but not written would vanish after its events were delivered.
        var postgres = PostgresServer.StartOwnAsync(durableCommits: true);
        var rabbitMq = RabbitMqServer.StartOwnAsync();
        (_redis, var redisUrl) = await RedisServer.StartOwnAsync();
        _redisPort = new Uri(redisUrl).Port;
        (_postgres, _rabbitMq) = (await postgres, await rabbitMq);
        return (await PostgresServer.CreateDatabaseAsync(_postgres.AdminConnectionString), redisUrl, ("127.0.0.1", _rabbitMq.Port));
    }

    [Fact]
    public async Task Restarting_redis_rabbitmq_and_postgresql_mid_stream_loses_and_doubles_nothing()
    {
        var baseUri = new Uri($"http://127.0.0.1:{NginxPort}/");
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(10) };
        var (channelId, clients) = await StartStreamAsync(http);
        var refusals = new List<(int Status, string? Code, TimeSpan? RetryAfter)>();
        Task outage = Task.CompletedTask;
        string? mailedDuringRestart = null;
        for (var i = 0; i < MessageCount; i++)
        {
            if (i is RestartRedisAt or RestartRabbitMqAt or RestartPostgresAt)
            {
                await outage;
                if (i == RestartRabbitMqAt)
                {
                    // A verification mail queued just before the broker goes away: in flight through the restart.
                    using var anonymous = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(10) };
                    mailedDuringRestart = (await anonymous.RegisterAsync()).User.Username;
                }
                // The outage runs beside the stream: the sender goes on sending while the service is down.
                outage = i switch
                {
                    RestartRedisAt => RestartRedisAsync(),
                    RestartRabbitMqAt => RestartRabbitMqAsync(),
                    _ => RestartPostgresAsync(),
                };
            }
            await SendWithRetriesAsync(http, channelId, i, async response =>
            {
                var body = await response.Content.ReadAsStringAsync();
                lock (refusals)
                    refusals.Add(((int)response.StatusCode, System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("code").GetString(),
                        response.Headers.RetryAfter?.Delta));
            });
        }
        await outage;

        var expected = Enumerable.Range(0, MessageCount).Select(i => Content(i)).ToList();
        foreach (var client in clients)
        {
            if (!await client.WaitForAsync(MessageCount, TimeSpan.FromSeconds(60)))
                await DescribeLossAsync(client, channelId, expected);
            Assert.True(await client.WaitForAsync(MessageCount, TimeSpan.FromSeconds(1)),
                $"client on node {client.NodeId} applied {client.Applied.Count} of {MessageCount}, missing " +
                string.Join(", ", expected.Except(client.Applied)) + $"; resumes {client.Resumes}");
            Assert.Equal(expected, client.Applied);
        }
        await using (var db = Database())
            Assert.Equal(MessageCount, await db.Messages.CountAsync(m => m.ChannelId == channelId));
        // What an outage answered is a clear 503 with Retry-After, never a 500.
        Assert.All(refusals, r => Assert.Equal((503, "service_unavailable"), (r.Status, r.Code)));
        Assert.All(refusals, r => Assert.NotNull(r.RetryAfter));
        Assert.NotEmpty(refusals); // PostgreSQL was down for seconds while the sender kept sending

        // The job queued before the broker restart ran once; one queued after it runs too (publisher and consumer recovered).
        using (var anonymous = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(10) })
        {
            var after = (await anonymous.RegisterAsync()).User.Username;
            foreach (var username in new[] { mailedDuringRestart!, after })
                await WaitForOneMailAsync($"{username}@example.test");
        }
        Console.WriteLine($"chaos: {MessageCount} messages, {refusals.Count} sends refused with 503 during the outages; resumes per client: " +
            string.Join(", ", clients.Select(c => $"node{c.NodeId}→{c.Resumes} ({c.DuplicatesDropped} duplicates dropped)")));
        foreach (var client in clients)
            await client.DisposeAsync();

        // Every node is still the process it was and ready: none needed a restart.
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var port in NodePorts)
            Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync($"http://127.0.0.1:{port}/readyz")).StatusCode);
        Assert.All(Nodes, node => Assert.False(node.HasExited));
    }

    /// <summary>Prints, for a client that missed messages, what the log holds for them and what it applied at those sequence numbers.</summary>
    private async Task DescribeLossAsync(ResumingClient client, Snowflake channelId, List<string> expected)
    {
        var missing = expected.Except(client.Applied).ToList();
        await using var db = Database();
        var logged = await db.EventLog.Where(e => e.ScopeId == channelId && e.Type == "MessageCreated").Select(e => new { e.Sequence, e.Payload }).ToListAsync();
        var sequences = logged.Where(e => missing.Any(m => e.Payload.Contains(m, StringComparison.Ordinal))).Select(e => e.Sequence).ToList();
        Console.WriteLine($"lost on node {client.NodeId}: {string.Join(", ", missing)} (logged at {string.Join(", ", sequences)}); the client applied: " +
            string.Join(" | ", client.Trail.Where(t => long.TryParse(t.Split(' ')[0], out var seq) && sequences.Any(s => Math.Abs(seq - s) < 4))));
    }

    private async Task WaitForOneMailAsync(string address)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (MailTo(WorkerDataDirectory, address).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the worker never sent the mail to {address}");
            await Task.Delay(200);
        }
        // A redelivered job would write a second file shortly after the first.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(MailTo(WorkerDataDirectory, address));
    }

    private async Task RestartRedisAsync()
    {
        await _redis.DisposeAsync();
        await Task.Delay(Downtime);
        (_redis, _) = await RedisServer.StartOwnAsync(_redisPort);
    }

    private async Task RestartRabbitMqAsync()
    {
        await _rabbitMq.StopAsync();
        await Task.Delay(Downtime);
        await _rabbitMq.StartAsync();
    }

    private async Task RestartPostgresAsync()
    {
        await _postgres.StopAsync();
        await Task.Delay(Downtime);
        await _postgres.StartAsync();
        // This test's own pooled connections (the seeding's) died with the server.
        Npgsql.NpgsqlConnection.ClearAllPools();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _redis.DisposeAsync();
        await _rabbitMq.StopAsync();
        await _postgres.StopAsync();
    }
}
