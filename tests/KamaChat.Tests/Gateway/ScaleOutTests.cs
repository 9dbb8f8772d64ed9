using System.Globalization;
using KamaChat.Server.Features.Events;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace KamaChat.Tests.Gateway;

/// <summary>Two in-memory nodes sharing PostgreSQL and a real Redis: what one node knows reaches the other's clients.</summary>
public sealed class ScaleOutTests(ScaledPair nodes) : IClassFixture<ScaledPair>
{

    [Fact]
    public async Task An_event_committed_on_one_node_reaches_clients_on_the_other()
    {
        var alice = await nodes.First.CreateClient().RegisterAsync();
        var bob = await nodes.First.CreateClient().RegisterAsync();
        var (_, channelId) = await GatewaySeed.ServerWithChannelAsync(nodes.First, alice.User.Id, bob.User.Id);
        await using var bobOnSecond = await GatewayClient.ConnectAsync(nodes.Second, bob.AccessToken);
        await bobOnSecond.ReadyAsync();

        await GatewaySeed.AppendAsync(nodes.First, new SeededMessageCreated(channelId, new { n = 1 }));
        await GatewaySeed.AppendAsync(nodes.First, new SeededMessageCreated(channelId, new { n = 2 }));

        var events = await bobOnSecond.WaitForEventsAsync(e => e.Count(x => x.Type == "MessageCreated") >= 2);
        Assert.Equal([1L, 2L], events.Where(e => e.Type == "MessageCreated").Select(e => e.Sequence));
    }

    [Fact]
    public async Task An_event_whose_node_died_before_announcing_it_is_still_delivered_from_the_log()
    {
        var alice = await nodes.First.CreateClient().RegisterAsync();
        var (_, channelId) = await GatewaySeed.ServerWithChannelAsync(nodes.First, alice.User.Id);
        await using var onFirst = await GatewayClient.ConnectAsync(nodes.First, alice.AccessToken);
        await using var onSecond = await GatewayClient.ConnectAsync(nodes.Second, alice.AccessToken);
        await onFirst.ReadyAsync();
        await onSecond.ReadyAsync();

        // Written straight to the shared log, as a node would in its transaction just before dying:
        // no node's memory and no Redis message knows about it.
        var id = GatewaySeed.NewId();
        await nodes.First.QueryAsync(async db =>
        {
            db.EventSequences.Add(new EventSequence { Scope = EventScope.Channel, ScopeId = channelId, LastSequence = 1 });
            db.EventLog.Add(new EventLogEntry
            {
                Id = id, Scope = EventScope.Channel, ScopeId = channelId, Sequence = 1, Type = "MessageCreated",
                Payload = "{\"orphan\":true}", CreatedAt = DateTimeOffset.UtcNow,
            });
            return await db.SaveChangesAsync();
        });

        foreach (var client in new[] { onFirst, onSecond })
        {
            var received = await client.WaitForEventAsync("MessageCreated");
            Assert.True(GatewayClient.Data(received).GetProperty("orphan").GetBoolean());
        }
        await GatewayClient.SettleAsync();
        Assert.Single(onSecond.Events, e => e.Type == "MessageCreated");
    }

    [Fact]
    public async Task Typing_and_presence_cross_nodes()
    {
        var alice = await nodes.First.CreateClient().RegisterAsync();
        var bob = await nodes.First.CreateClient().RegisterAsync();
        var (_, channelId) = await GatewaySeed.ServerWithChannelAsync(nodes.First, alice.User.Id, bob.User.Id);
        await using var aliceOnFirst = await GatewayClient.ConnectAsync(nodes.First, alice.AccessToken);
        await aliceOnFirst.ReadyAsync();

        await using var bobOnSecond = await GatewayClient.ConnectAsync(nodes.Second, bob.AccessToken);
        var ready = await bobOnSecond.ReadyAsync();
        Assert.Contains(ready.Presences, p => p.UserId == alice.User.Id && p.Status == "online");
        await aliceOnFirst.WaitForPresenceAsync(bob.User.Id, "online");

        await aliceOnFirst.Connection.InvokeAsync("StartTyping", channelId.ToString());
        var deadline = DateTime.UtcNow + GatewayClient.Patience;
        while (bobOnSecond.Typing.IsEmpty && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal(alice.User.Id, Assert.Single(bobOnSecond.Typing).UserId);
    }

    [Fact]
    public async Task A_user_connected_to_both_nodes_stays_online_until_the_last_connection_closes()
    {
        var alice = await nodes.First.CreateClient().RegisterAsync();
        var bob = await nodes.First.CreateClient().RegisterAsync();
        await GatewaySeed.ServerWithChannelAsync(nodes.First, alice.User.Id, bob.User.Id);
        await using var watcher = await GatewayClient.ConnectAsync(nodes.First, alice.AccessToken);
        await watcher.ReadyAsync();
        var bobOnFirst = await GatewayClient.ConnectAsync(nodes.First, bob.AccessToken);
        var bobOnSecond = await GatewayClient.ConnectAsync(nodes.Second, bob.AccessToken);
        await bobOnFirst.ReadyAsync();
        await bobOnSecond.ReadyAsync();
        await watcher.WaitForPresenceAsync(bob.User.Id, "online");

        await bobOnFirst.DisposeAsync();
        await Task.Delay(Server.Features.Gateway.PresenceTracker.OfflineGrace + TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(watcher.Presence, p => p.UserId == bob.User.Id && p.Status == "offline");

        await bobOnSecond.DisposeAsync();
        await watcher.WaitForPresenceAsync(bob.User.Id, "offline", Server.Features.Gateway.PresenceTracker.OfflineGrace + GatewayClient.Patience);
    }

    [Fact]
    public async Task A_password_changed_through_one_node_closes_that_accounts_other_sockets_on_the_other_node()
    {
        var name = Api.UniqueName();
        var here = await nodes.First.CreateClient().RegisterAsync(name);
        var there = await (await nodes.First.CreateClient().PostAsync("/api/v1/auth/login",
            System.Net.Http.Json.JsonContent.Create(new { login = name, password = Api.GoodPassword }))).ReadAsync<Server.Features.Auth.AuthTokens>();
        await using var onSecond = await GatewayClient.ConnectAsync(nodes.Second, there.AccessToken);
        await onSecond.ReadyAsync();

        var changed = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(nodes.First.CreateClient(here.AccessToken),
            "/api/v1/users/@me/password", new { currentPassword = Api.GoodPassword, newPassword = "another long passphrase" });
        Assert.Equal(System.Net.HttpStatusCode.NoContent, changed.StatusCode);

        await onSecond.ClosedAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HubConnectionState.Disconnected, onSecond.Connection.State);
    }
}
