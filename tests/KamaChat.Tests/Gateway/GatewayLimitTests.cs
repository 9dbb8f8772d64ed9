using KamaChat.Server.Features.Gateway;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace KamaChat.Tests.Gateway;

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
        new("KAMACHAT_GATEWAY_CONNECTS_PER_MINUTE", "8"),
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

    [Fact]
    public async Task New_connections_beyond_the_per_minute_limit_are_refused()
    {
        var me = await app.UserAsync();
        var registry = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<ConnectionRegistry>(app.Services);
        for (var i = 0; i < 8; i++)
        {
            await (await ConnectedAsync(me.Tokens.AccessToken)).DisposeAsync();
            while (registry.OfUser(me.Id).Count > 0)
                await Task.Delay(50);
        }

        // Closed again each time, so no cap on open connections is in the way: only the rate.
        await AssertRefusedAsync(me.Tokens.AccessToken, "new gateway connections");
    }

    [Fact]
    public async Task A_connection_that_goes_on_calling_while_refused_is_closed()
    {
        var me = await app.UserAsync();
        await using var client = await ConnectedAsync(me.Tokens.AccessToken);

        // Refusals within the allowance are answers; beyond it (less what the call rate earns back meanwhile), the
        // connection is closed.
        var refused = 0;
        while (client.Connection.State == HubConnectionState.Connected && refused < 10 * GatewayRateLimitFilter.RefusalAllowance)
        {
            try
            {
                await client.Connection.InvokeAsync("SetPresence", "bogus");
                Assert.Fail("A bogus status was accepted.");
            }
            catch (HubException e)
            {
                Assert.True(ResumeLimitTests.Code(e) is "validation_failed" or "rate_limited", e.Message);
                refused++;
            }
            catch (Exception) when (client.Connection.State != HubConnectionState.Connected)
            {
                break; // closed while this call was under way
            }
        }

        await client.ClosedAsync();
        Assert.Equal(HubConnectionState.Disconnected, client.Connection.State);
        Assert.True(refused >= GatewayRateLimitFilter.RefusalAllowance - 1, $"closed after {refused} refusals");
    }

    private async Task<GatewayClient> ConnectedAsync(string accessToken)
    {
        var client = await GatewayClient.ConnectAsync(app, accessToken);
        await client.ReadyAsync();
        return client;
    }

    /// <summary>The server answers the handshake, then closes with the reason instead of sending Ready.</summary>
    private async Task AssertRefusedAsync(string accessToken, string reason = "")
    {
        GatewayClient client;
        try
        {
            client = await GatewayClient.ConnectAsync(app, accessToken);
        }
        catch (Exception e) when (e.Message.Contains("rate_limited", StringComparison.Ordinal) && e.Message.Contains(reason, StringComparison.Ordinal))
        {
            return;
        }
        await using (client)
        {
            var error = await client.ClosedAsync();
            Assert.Contains("rate_limited", error?.Message ?? "", StringComparison.Ordinal);
            Assert.Contains(reason, error?.Message ?? "", StringComparison.Ordinal);
        }
    }
}
