using System.Globalization;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Gateway;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace KamaChat.Tests.Gateway;

/// <summary>What a Resume may cost: only streams the caller can see, a bounded number per call, read in a few queries.</summary>
public abstract class ResumeLimitTests(KamaChatApp app)
{
    private static string Text(Snowflake id) => id.ToString();

    private static string Text(long id) => id.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Resume_reads_hundreds_of_streams_in_a_handful_of_queries()
    {
        var me = await app.UserAsync();
        var channels = new List<Snowflake>();
        for (var s = 0; s < 3; s++)
        {
            var serverId = await app.SeedServerAsync(me);
            for (var c = 0; c < 40; c++)
                channels.Add(await app.SeedTextChannelAsync(serverId));
        }
        foreach (var channelId in channels)
            await GatewaySeed.AppendAsync(app, new TestEvent(channelId, new { channelId }));
        await using var client = await GatewayClient.ConnectAsync(app, me.Tokens.AccessToken);
        await client.ReadyAsync();
        // The first connection announces the user online after Ready (a query of its own): not Resume's cost, so it must
        // be over before the count; the announcement reaches the user's own connection, a member of their servers.
        await client.WaitForPresenceAsync(me.Id, "online");

        ResumeResult? result = null;
        var commands = await DatabaseCommands.CountAsync(app, async () =>
            result = await client.Connection.InvokeAsync<ResumeResult>("Resume",
                new StreamCursors(channels.ToDictionary(c => Text(c), _ => 0L), null, null)));

        Assert.Empty(result!.Refetch);
        Assert.Equal(channels.Order(), result.Events.Select(e => e.ScopeId).Order());
        // Positions, who may read which stream (per server), and the log in batches: not a query or more per stream.
        Assert.InRange(commands, 1, 25);
    }

    [Fact]
    public async Task A_resume_with_more_streams_than_allowed_is_refused()
    {
        var me = await app.UserAsync();
        await using var client = await GatewayClient.ConnectAsync(app, me.Tokens.AccessToken);
        await client.ReadyAsync();
        var tooMany = Enumerable.Range(1, ResumeService.MaxStreams + 1).ToDictionary(i => Text(i), _ => 0L);

        var error = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync<ResumeResult>("Resume", new StreamCursors(tooMany, null, null)));

        Assert.Equal("validation_failed", Code(error));
        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
    }

    [Fact]
    public async Task Resume_never_asks_a_client_that_keeps_up_to_refetch()
    {
        var me = await app.UserAsync();
        var (_, channelId, _) = await app.SeedServerWithChannelAsync(me);
        await using var client = await GatewayClient.ConnectAsync(app, me.Tokens.AccessToken);
        var start = (await client.ReadyAsync()).Cursors.Channels![Text(channelId)];

        var appending = Task.Run(async () =>
        {
            for (var i = 0; i < 150; i++)
                await GatewaySeed.AppendAsync(app, new TestEvent(channelId, new { i }));
        });
        var calls = 0;
        while (!appending.IsCompleted || calls == 0)
        {
            // Where a client applying every live event stands right now.
            var cursor = client.Events.Where(e => e.ScopeId == channelId).Select(e => e.Sequence).DefaultIfEmpty(start).Max();
            var result = await client.Connection.InvokeAsync<ResumeResult>("Resume", new StreamCursors(new() { [Text(channelId)] = cursor }, null, null));
            calls++;
            Assert.Empty(result.Refetch);
            Assert.Equal(Enumerable.Range((int)cursor + 1, result.Events.Count).Select(i => (long)i), result.Events.Select(e => e.Sequence));
            // The per-connection call rate of the test host (2 a second after a burst of 40) paces this loop.
            if (calls >= 35)
                await Task.Delay(600);
        }
        await appending;
    }

    /// <summary>The stable code a hub error starts with (the client sees it after "… HubException: ").</summary>
    internal static string Code(HubException error) =>
        System.Text.RegularExpressions.Regex.Match(error.Message, @"HubException: (\w+):").Groups[1].Value is { Length: > 0 } code ? code : error.Message;
}

[Trait("Provider", "sqlite")]
public sealed class SqliteResumeLimitTests(SqliteApp app) : ResumeLimitTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresResumeLimitTests(PostgresApp app) : ResumeLimitTests(app), IClassFixture<PostgresApp>;
