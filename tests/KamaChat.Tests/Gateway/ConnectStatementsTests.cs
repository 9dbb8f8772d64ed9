using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace KamaChat.Tests.Gateway;

/// <summary>
/// Everything a gateway connect makes PostgreSQL run, counted on the wire (<see cref="PostgresWireCounter"/>): its
/// queries, and not Npgsql's reset of the connection they ran on, which was seven statements more per connect on top of
/// the eleven of its queries (the mention counts' command is three: its setting, the query, the setting's reset).
/// </summary>
[Trait("Provider", "postgres")]
public sealed class PostgresConnectStatementsTests : IAsyncLifetime
{
    // Measured: 11 a connect (the nine queries, one with its setting and the setting's reset), 18 with Npgsql's reset;
    // and each of the event log tail's polls meanwhile had a reset too: 308 statements in this window then, 89 now.
    // One more a connect for the few statements some timer of the node's may run meanwhile.
    private const int MaxConnectStatements = 12;

    // Three round trips a connect: the positions and the groups' queries in one batch, Ready's in another, then the
    // mention counts (which need Ready's read states); one more for a timer's. Each query was its own: nine. (The event
    // log tail's polls and the search index's pending-list merges run on timers of their own: not counted.)
    private const int MaxConnectRoundTrips = 4;

    private static readonly string[] ResetStatements = ["DISCARD", "RESET ALL", "pg_advisory_unlock_all", "UNLISTEN", "CLOSE ALL"];

    // With the first, within the connections a session may hold open at once (10).
    private const int Connects = 8;

    private PostgresWireCounter _counter = null!;
    private ScaledNode _node = null!;

    public async Task InitializeAsync()
    {
        var database = new NpgsqlConnectionStringBuilder(await PostgresServer.CreateDatabaseAsync());
        _counter = new PostgresWireCounter(database.Port);
        // In clear text, so the counter can read it.
        (database.Port, database.SslMode, database.GssEncryptionMode) = (_counter.Port, SslMode.Disable, GssEncryptionMode.Disable);
        _node = new ScaledNode(database.ConnectionString, redisUrl: null, nodeId: 45);
        await _node.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _counter.DisposeAsync();
    }

    [Fact]
    public async Task A_connect_runs_its_queries_in_few_round_trips_and_no_reset_of_the_pooled_connection()
    {
        var user = await _node.UserAsync();
        await _node.SeedServerWithChannelAsync(user);
        // Open throughout: a user's first connect and last disconnect do work of their own (online, offline).
        var open = new List<GatewayClient> { await GatewayClient.ConnectAsync(_node, user.Tokens.AccessToken) };
        await open[0].ReadyAsync();
        await open[0].WaitForPresenceAsync(user.Id, "online");

        var before = _counter.Sent();
        for (var i = 0; i < Connects; i++)
        {
            open.Add(await GatewayClient.ConnectAsync(_node, user.Tokens.AccessToken));
            await open[^1].ReadyAsync();
        }
        // A connection's reset rides in front of its next command: one more command makes the last connect's show.
        await _node.QueryAsync(db => db.Database.ExecuteSqlRawAsync("SELECT 1"));
        var after = _counter.Sent();
        foreach (var gateway in open)
            await gateway.DisposeAsync();

        var simple = after.SimpleQueries.Skip(before.SimpleQueries.Count).ToList();
        // The node's event log tail polls on its own timer meanwhile: not the connects' work.
        var executed = after.Executed.Skip(before.Executed.Count).Where(text => !text.Contains("FROM event_log", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(simple.Concat(executed), text => ResetStatements.Any(reset => text.Contains(reset, StringComparison.Ordinal)));
        Assert.InRange(executed.Count + simple.Sum(PostgresWireCounter.StatementsIn), Connects, Connects * MaxConnectStatements);
        var roundTrips = after.RoundTrips.Skip(before.RoundTrips.Count)
            .Where(trip => !trip.Any(text => text.Contains("FROM event_log", StringComparison.Ordinal) || text.Contains("gin_clean_pending_list", StringComparison.Ordinal))
                           && !trip.Contains("SELECT 1"))
            .ToList();
        Assert.InRange(roundTrips.Count, Connects, Connects * MaxConnectRoundTrips);
    }
}
