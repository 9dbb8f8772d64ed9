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
            await GatewaySeed.AppendAsync(app, EventScope.Channel, channelId, "Test", new { channelId });
        await using var client = await GatewayClient.ConnectAsync(app, me.Tokens.AccessToken);
        await client.ReadyAsync();

        ResumeResult? result = null;
        var commands = await DatabaseCommands.CountAsync(app, async () =>
            result = await client.Connection.InvokeAsync<ResumeResult>("Resume",
                new StreamCursors(channels.ToDictionary(c => Text(c), _ => 0L), null, null)));

        Assert.Empty(result!.Refetch);
        Assert.Equal(channels.Select(c => Text(c)).Order(), result.Events.Select(e => e.ScopeId).Order());
        // Positions, who may read which stream (per server), and the log in batches: not a query or more per stream.
        Assert.True(commands <= 25, $"{commands} queries for a Resume of {channels.Count} streams");
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
                await GatewaySeed.AppendAsync(app, EventScope.Channel, channelId, "Test", new { i });
        });
        var calls = 0;
        while (!appending.IsCompleted || calls == 0)
        {
            // Where a client applying every live event stands right now.
            var cursor = client.Events.Where(e => e.ScopeId == Text(channelId)).Select(e => e.Sequence).DefaultIfEmpty(start).Max();
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

/// <summary>Small gateway limits, so tests reach them with a few connections and calls.</summary>
public sealed class GatewayLimitsApp : KamaChatApp
{
    public override string ProviderName => "sqlite";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings =>
    [
        new("KAMACHAT_GATEWAY_CONNECTIONS_PER_USER", "4"),
        new("KAMACHAT_GATEWAY_CONNECTIONS_PER_SESSION", "3"),
        new("KAMACHAT_RESUME_COST_BURST", "300"),
        new("KAMACHAT_RESUME_COST_PER_SECOND", "1"),
    ];
}

/// <summary>Limits are kept in each node's memory; what matters here is the counting, so one provider is enough.</summary>
[Trait("Provider", "sqlite")]
public sealed class GatewayLimitTests(GatewayLimitsApp app) : IClassFixture<GatewayLimitsApp>
{
    [Fact]
    public async Task Connections_beyond_the_per_session_and_per_account_caps_are_refused()
    {
        var name = Api.UniqueName();
        var laptop = await app.CreateClient().RegisterAsync(name);
        var phone = await (await app.CreateClient().PostAsync("/api/v1/auth/login",
            System.Net.Http.Json.JsonContent.Create(new { login = name, password = Api.GoodPassword }))).ReadAsync<Server.Features.Auth.AuthTokens>();
        var open = new List<GatewayClient>();
        for (var i = 0; i < 3; i++)
            open.Add(await ConnectedAsync(laptop.AccessToken));

        await AssertRefusedAsync(laptop.AccessToken);
        open.Add(await ConnectedAsync(phone.AccessToken));
        await AssertRefusedAsync(phone.AccessToken);

        // Closing one frees its place (once the server has seen it go).
        await open[0].DisposeAsync();
        var userId = laptop.User.Id;
        var registry = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<ConnectionRegistry>(app.Services);
        while (registry.OfUser(userId).Count > 3)
            await Task.Delay(50);
        open.Add(await ConnectedAsync(phone.AccessToken));
        foreach (var client in open.Skip(1))
            await client.DisposeAsync();
    }

    [Fact]
    public async Task The_resume_budget_is_shared_by_all_of_an_accounts_connections_and_by_no_one_else()
    {
        var me = await app.UserAsync();
        var other = await app.UserAsync();
        var serverId = await app.SeedServerAsync(me);
        await app.SeedMemberAsync(serverId, other);
        var channels = new List<Snowflake>();
        for (var c = 0; c < 120; c++)
            channels.Add(await app.SeedTextChannelAsync(serverId));
        var cursors = new StreamCursors(channels.ToDictionary(c => c.ToString(), _ => 0L), null, null);
        await using var first = await ConnectedAsync(me.Tokens.AccessToken);
        await using var second = await ConnectedAsync(me.Tokens.AccessToken);
        await using var theirs = await ConnectedAsync(other.Tokens.AccessToken);

        // 120 streams each: two calls fit the budget of 300, the third does not, on whichever connection.
        await first.Connection.InvokeAsync<ResumeResult>("Resume", cursors);
        await second.Connection.InvokeAsync<ResumeResult>("Resume", cursors);
        var error = await Assert.ThrowsAsync<HubException>(() => first.Connection.InvokeAsync<ResumeResult>("Resume", cursors));
        Assert.Equal("rate_limited", ResumeLimitTests.Code(error));
        Assert.Matches(@"retry in \d+ s", error.Message);

        await theirs.Connection.InvokeAsync<ResumeResult>("Resume", cursors);
    }

    private async Task<GatewayClient> ConnectedAsync(string accessToken)
    {
        var client = await GatewayClient.ConnectAsync(app, accessToken);
        await client.ReadyAsync();
        return client;
    }

    /// <summary>The server answers the handshake, then closes with the reason instead of sending Ready.</summary>
    private async Task AssertRefusedAsync(string accessToken)
    {
        GatewayClient client;
        try
        {
            client = await GatewayClient.ConnectAsync(app, accessToken);
        }
        catch (Exception e) when (e.Message.Contains("rate_limited", StringComparison.Ordinal))
        {
            return;
        }
        await using (client)
        {
            var error = await client.ClosedAsync();
            Assert.Contains("rate_limited", error?.Message ?? "", StringComparison.Ordinal);
        }
    }
}
