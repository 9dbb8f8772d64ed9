using System.Globalization;
using System.Net;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Gateway;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Tests.Gateway;

public abstract class GatewayTests(KamaChatApp app)
{

    [Fact]
    public async Task Connecting_without_a_token_is_refused()
    {
        var connection = GatewayClient.Build(app, accessToken: "");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => connection.StartAsync());

        Assert.Contains("401", error.Message + error.InnerException?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_describes_my_servers_channels_and_where_each_stream_stands()
    {
        var me = await app.CreateClient().RegisterAsync();
        var (serverId, channelId) = await GatewaySeed.ServerWithChannelAsync(app, me.User.Id);
        await GatewaySeed.AppendAsync(app, new TestEvent(channelId, new { n = 1 }));
        await GatewaySeed.AppendAsync(app, new TestEvent(channelId, new { n = 2 }));

        await using var client = await GatewayClient.ConnectAsync(app, me.AccessToken);
        var ready = await client.ReadyAsync();

        Assert.Equal(me.User.Id, ready.User.Id);
        var server = Assert.Single(ready.Servers);
        Assert.Equal(serverId, server.Id);
        Assert.Equal("general", Assert.Single(server.Channels).Name);
        Assert.Equal(2, ready.Cursors.Channels![channelId.ToString()]);
        Assert.Equal(me.SessionId, ready.SessionId);
    }

    [Fact]
    public async Task Members_receive_channel_events_in_order_and_outsiders_receive_nothing()
    {
        var alice = await app.CreateClient().RegisterAsync();
        var bob = await app.CreateClient().RegisterAsync();
        var mallory = await app.CreateClient().RegisterAsync();
        var (_, channelId) = await GatewaySeed.ServerWithChannelAsync(app, alice.User.Id, bob.User.Id);
        await using var bobClient = await GatewayClient.ConnectAsync(app, bob.AccessToken);
        await using var malloryClient = await GatewayClient.ConnectAsync(app, mallory.AccessToken);
        await bobClient.ReadyAsync();
        await malloryClient.ReadyAsync();

        for (var i = 1; i <= 5; i++)
            await GatewaySeed.AppendAsync(app, new SeededMessageCreated(channelId, new { n = i }));

        var received = await bobClient.WaitForEventsAsync(events => events.Count(e => e.Type == "MessageCreated") == 5);
        Assert.Equal([1, 2, 3, 4, 5], received.Where(e => e.Type == "MessageCreated").Select(e => e.Sequence));
        Assert.Equal([1, 2, 3, 4, 5], received.Where(e => e.Type == "MessageCreated").Select(e => GatewayClient.Data(e).GetProperty("n").GetInt32()));
        await GatewayClient.SettleAsync();
        Assert.DoesNotContain(malloryClient.Events, e => e.Type == "MessageCreated");
    }

    [Fact]
    public async Task A_channel_group_emptied_and_refilled_while_connections_come_and_go_still_reaches_every_open_connection()
    {
        var alice = await app.CreateClient().RegisterAsync();
        var bob = await app.CreateClient().RegisterAsync();
        var (_, channelId) = await GatewaySeed.ServerWithChannelAsync(app, alice.User.Id, bob.User.Id);
        var open = new List<GatewayClient>();
        try
        {
            for (var round = 1; round <= 5; round++)
            {
                // The last connections in the group leave while new ones join: the group empties (and is dropped) and
                // fills again concurrently; each new connection must end up in the group that is delivered to.
                var leaving = open.ToList();
                var joining = Enumerable.Range(0, 4).Select(_ => GatewayClient.ConnectAsync(app, bob.AccessToken)).ToList();
                await Task.WhenAll(leaving.Select(c => c.DisposeAsync().AsTask()).Concat(joining));
                open = [.. joining.Select(j => j.Result)];
                foreach (var client in open)
                    await client.ReadyAsync();

                await GatewaySeed.AppendAsync(app, new SeededMessageCreated(channelId, new { n = round }));

                foreach (var client in open)
                    await client.WaitForEventsAsync(events => events.Any(e => e.Type == "MessageCreated" && GatewayClient.Data(e).GetProperty("n").GetInt32() == round));
            }
        }
        finally
        {
            foreach (var client in open)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Resume_returns_every_missed_event_once_and_in_order()
    {
        var me = await app.CreateClient().RegisterAsync();
        var (_, channelId) = await GatewaySeed.ServerWithChannelAsync(app, me.User.Id);
        await using var client = await GatewayClient.ConnectAsync(app, me.AccessToken);
        var cursor = (await client.ReadyAsync()).Cursors.Channels![channelId.ToString()];
        await client.Connection.StopAsync();

        for (var i = 1; i <= 100; i++)
            await GatewaySeed.AppendAsync(app, new SeededMessageCreated(channelId, new { n = i }));

        await using var back = await GatewayClient.ConnectAsync(app, me.AccessToken);
        await back.ReadyAsync();
        var result = await back.Connection.InvokeAsync<ResumeResult>("Resume",
            new StreamCursors(new() { [channelId.ToString()] = cursor }, null, null));

        Assert.Empty(result.Refetch);
        Assert.Equal(Enumerable.Range(1, 100), result.Events.Select(e => GatewayClient.Data(e).GetProperty("n").GetInt32()));
        Assert.Equal(Enumerable.Range((int)cursor + 1, 100).Select(i => (long)i), result.Events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Resume_skips_channels_the_caller_cannot_see()
    {
        var owner = await app.CreateClient().RegisterAsync();
        var outsider = await app.CreateClient().RegisterAsync();
        var (_, channelId) = await GatewaySeed.ServerWithChannelAsync(app, owner.User.Id);
        await GatewaySeed.AppendAsync(app, new SeededMessageCreated(channelId, new { secret = "s3cr3t" }));

        await using var client = await GatewayClient.ConnectAsync(app, outsider.AccessToken);
        await client.ReadyAsync();
        var result = await client.Connection.InvokeAsync<ResumeResult>("Resume",
            new StreamCursors(new() { [channelId.ToString()] = 0 }, null, null));

        Assert.Empty(result.Events);
    }

    [Fact]
    public async Task A_cursor_older_than_the_log_is_told_to_refetch()
    {
        var me = await app.CreateClient().RegisterAsync();
        var (_, channelId) = await GatewaySeed.ServerWithChannelAsync(app, me.User.Id);
        for (var i = 0; i < 3; i++)
            await GatewaySeed.AppendAsync(app, new SeededMessageCreated(channelId, new { i }));
        // The retention job pruned the first two.
        await app.QueryAsync(db => db.EventLog.Where(e => e.ScopeId == channelId && e.Sequence <= 2).ExecuteDeleteAsync());

        await using var client = await GatewayClient.ConnectAsync(app, me.AccessToken);
        await client.ReadyAsync();
        var result = await client.Connection.InvokeAsync<ResumeResult>("Resume",
            new StreamCursors(new() { [channelId.ToString()] = 0 }, null, null));

        Assert.Empty(result.Events);
        Assert.Equal(new StreamRef("channel", channelId), Assert.Single(result.Refetch));
    }

    [Fact]
    public async Task Typing_reaches_the_other_members_once_per_throttle_window()
    {
        var alice = await app.CreateClient().RegisterAsync();
        var bob = await app.CreateClient().RegisterAsync();
        var (_, channelId) = await GatewaySeed.ServerWithChannelAsync(app, alice.User.Id, bob.User.Id);
        await using var aliceClient = await GatewayClient.ConnectAsync(app, alice.AccessToken);
        await using var bobClient = await GatewayClient.ConnectAsync(app, bob.AccessToken);
        await aliceClient.ReadyAsync();
        await bobClient.ReadyAsync();

        for (var i = 0; i < 3; i++)
            await aliceClient.Connection.InvokeAsync("StartTyping", channelId.ToString());
        await GatewayClient.SettleAsync();

        var typing = Assert.Single(bobClient.Typing);
        Assert.Equal(alice.User.Id, typing.UserId);
        Assert.Empty(aliceClient.Typing);
    }

    [Fact]
    public async Task Typing_in_a_channel_you_cannot_see_is_a_not_found_error()
    {
        var owner = await app.CreateClient().RegisterAsync();
        var outsider = await app.CreateClient().RegisterAsync();
        var (_, channelId) = await GatewaySeed.ServerWithChannelAsync(app, owner.User.Id);
        await using var client = await GatewayClient.ConnectAsync(app, outsider.AccessToken);

        var error = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("StartTyping", channelId.ToString()));
        Assert.Contains("not_found", error.Message, StringComparison.Ordinal);
        var invalid = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("StartTyping", "not-an-id"));
        Assert.Contains("validation_failed", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Presence_shows_online_then_offline_after_the_grace_period()
    {
        var alice = await app.CreateClient().RegisterAsync();
        var bob = await app.CreateClient().RegisterAsync();
        await GatewaySeed.ServerWithChannelAsync(app, alice.User.Id, bob.User.Id);
        await using var aliceClient = await GatewayClient.ConnectAsync(app, alice.AccessToken);
        await aliceClient.ReadyAsync();

        var bobClient = await GatewayClient.ConnectAsync(app, bob.AccessToken);
        var ready = await bobClient.ReadyAsync();
        Assert.Contains(ready.Presences, p => p.UserId == alice.User.Id && p.Status == "online");
        await aliceClient.WaitForPresenceAsync(bob.User.Id, "online");

        await bobClient.Connection.InvokeAsync("SetPresence", "dnd");
        await aliceClient.WaitForPresenceAsync(bob.User.Id, "dnd");

        await bobClient.DisposeAsync();
        await aliceClient.WaitForPresenceAsync(bob.User.Id, "offline", PresenceTracker.OfflineGrace + GatewayClient.Patience);
    }

    [Fact]
    public async Task A_presence_change_reaches_each_member_once_however_many_channels_their_server_has()
    {
        var alice = await app.CreateClient().RegisterAsync();
        var bob = await app.CreateClient().RegisterAsync();
        var (serverId, _) = await GatewaySeed.ServerWithChannelAsync(app, alice.User.Id, bob.User.Id);
        await app.QueryAsync(async db =>
        {
            for (var i = 0; i < 4; i++)
                db.Channels.Add(new Channel { Id = GatewaySeed.NewId(), ServerId = serverId, Type = ChannelType.Text, Name = $"more-{i}", CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });
        await using var aliceClient = await GatewayClient.ConnectAsync(app, alice.AccessToken);
        Assert.Equal(5, (await aliceClient.ReadyAsync()).Servers.Single().Channels.Count);
        await using var bobClient = await GatewayClient.ConnectAsync(app, bob.AccessToken);
        await bobClient.ReadyAsync();
        await aliceClient.WaitForPresenceAsync(bob.User.Id, "online");

        await bobClient.Connection.InvokeAsync("SetPresence", "dnd");
        await bobClient.Connection.InvokeAsync("SetPresence", "idle");
        // One connection's messages arrive in the order they were sent: every copy of "dnd" came before "idle".
        await aliceClient.WaitForPresenceAsync(bob.User.Id, "idle");
        Assert.Single(aliceClient.Presence, p => p.UserId == bob.User.Id && p.Status == "dnd");
    }

    [Fact]
    public async Task An_online_user_shows_idle_while_every_device_is_away_and_online_again_when_one_is_back()
    {
        var alice = await app.CreateClient().RegisterAsync();
        var bob = await app.CreateClient().RegisterAsync();
        await GatewaySeed.ServerWithChannelAsync(app, alice.User.Id, bob.User.Id);
        await using var aliceClient = await GatewayClient.ConnectAsync(app, alice.AccessToken);
        await aliceClient.ReadyAsync();
        await using var laptop = await GatewayClient.ConnectAsync(app, bob.AccessToken);
        await using var phone = await GatewayClient.ConnectAsync(app, bob.AccessToken);
        await Task.WhenAll(laptop.ReadyAsync(), phone.ReadyAsync());
        await aliceClient.WaitForPresenceAsync(bob.User.Id, "online");

        await laptop.Connection.InvokeAsync("SetAway", true);
        await GatewayClient.SettleAsync();
        Assert.DoesNotContain(aliceClient.Presence, p => p.UserId == bob.User.Id && p.Status == "idle");
        await phone.Connection.InvokeAsync("SetAway", true);
        await aliceClient.WaitForPresenceAsync(bob.User.Id, "idle");
        // Others connecting now are told "idle" in their Ready.
        await using var late = await GatewayClient.ConnectAsync(app, alice.AccessToken);
        Assert.Contains((await late.ReadyAsync()).Presences, p => p.UserId == bob.User.Id && p.Status == "idle");

        aliceClient.Presence.Clear();
        await phone.Connection.InvokeAsync("SetAway", false);
        await aliceClient.WaitForPresenceAsync(bob.User.Id, "online");
    }

    [Fact]
    public async Task Another_device_of_the_same_user_is_told_the_chosen_status_in_its_ready()
    {
        var alice = await app.CreateClient().RegisterAsync();
        await using var laptop = await GatewayClient.ConnectAsync(app, alice.AccessToken);
        Assert.Equal("online", (await laptop.ReadyAsync()).Status);

        await laptop.Connection.InvokeAsync("SetPresence", "invisible");
        // Others see invisible as offline; the user's own devices know what was chosen.
        await using var desktop = await GatewayClient.ConnectAsync(app, alice.AccessToken);
        Assert.Equal("invisible", (await desktop.ReadyAsync()).Status);
    }

    [Fact]
    public async Task Revoking_a_session_closes_its_gateway_connection()
    {
        var name = Api.UniqueName();
        var laptop = await app.CreateClient().RegisterAsync(name);
        var phone = await (await app.CreateClient().PostAsync("/api/v1/auth/login",
            System.Net.Http.Json.JsonContent.Create(new { login = name, password = Api.GoodPassword }))).ReadAsync<Server.Features.Auth.AuthTokens>();
        await using var phoneClient = await GatewayClient.ConnectAsync(app, phone.AccessToken);
        await phoneClient.ReadyAsync();

        var revoke = await app.CreateClient(laptop.AccessToken).DeleteAsync($"/api/v1/auth/sessions/{phone.SessionId}");
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);

        await phoneClient.ClosedAsync();
        Assert.Equal(HubConnectionState.Disconnected, phoneClient.Connection.State);
        await Assert.ThrowsAnyAsync<Exception>(() => GatewayClient.ConnectAsync(app, phone.AccessToken));
    }

    [Fact]
    public async Task A_flood_of_calls_is_rate_limited_without_dropping_the_connection()
    {
        var me = await app.CreateClient().RegisterAsync();
        var (_, channelId) = await GatewaySeed.ServerWithChannelAsync(app, me.User.Id);
        await using var client = await GatewayClient.ConnectAsync(app, me.AccessToken);
        await client.ReadyAsync();

        var calls = Enumerable.Range(0, 120).Select(_ => client.Connection.InvokeAsync("StartTyping", channelId.ToString()));
        var outcomes = await Task.WhenAll(calls.Select(async call =>
        {
            try
            {
                await call;
                return "ok";
            }
            catch (HubException e)
            {
                return e.Message.Contains("rate_limited", StringComparison.Ordinal) ? "limited" : e.Message;
            }
        }));

        Assert.Contains("ok", outcomes);
        Assert.Contains("limited", outcomes);
        Assert.All(outcomes, o => Assert.True(o is "ok" or "limited", o));
        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
    }

    [Fact]
    public async Task An_oversized_frame_is_refused()
    {
        var me = await app.CreateClient().RegisterAsync();
        await using var client = await GatewayClient.ConnectAsync(app, me.AccessToken);
        await client.ReadyAsync();

        var huge = new string('x', (int)GatewayExtensions.MaximumReceiveMessageSize + 1);
        await Assert.ThrowsAnyAsync<Exception>(() => client.Connection.InvokeAsync("StartTyping", huge));

        // The server closes the connection rather than buffering the frame (ClosedAsync times out otherwise).
        await client.ClosedAsync();
        Assert.Equal(HubConnectionState.Disconnected, client.Connection.State);
    }

    [Fact]
    public async Task The_messagepack_protocol_delivers_the_same_events()
    {
        var me = await app.CreateClient().RegisterAsync();
        var (serverId, channelId) = await GatewaySeed.ServerWithChannelAsync(app, me.User.Id);
        await using var client = await GatewayClient.ConnectAsync(app, me.AccessToken, messagePack: true);
        await client.ReadyAsync();
        // The same messages as a client without our types reads them: ids are strings there too (JavaScript decoders
        // turn 64-bit integers into lossy numbers).
        var untypedReady = new TaskCompletionSource<Dictionary<string, object?>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var untypedEvent = new TaskCompletionSource<Dictionary<string, object?>>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var untyped = GatewayClient.Build(app, me.AccessToken, messagePack: true);
        untyped.On<Dictionary<string, object?>>("Ready", r => untypedReady.TrySetResult(new(r, StringComparer.OrdinalIgnoreCase)));
        untyped.On<Dictionary<string, object?>>("Event", e => untypedEvent.TrySetResult(new(e, StringComparer.OrdinalIgnoreCase)));
        await untyped.StartAsync();
        var ready = await untypedReady.Task.WaitAsync(GatewayClient.Patience);

        var logged = await GatewaySeed.AppendAsync(app, new SeededMessageCreated(channelId, new { content = "über 🙂" }));

        var received = await client.WaitForEventAsync("MessageCreated");
        Assert.Equal("über 🙂", GatewayClient.Data(received).GetProperty("content").GetString());
        var wire = await untypedEvent.Task.WaitAsync(GatewayClient.Patience);
        Assert.Equal(logged.Id.ToString(), Assert.IsType<string>(wire["id"]));
        Assert.Equal(channelId.ToString(), Assert.IsType<string>(wire["scopeId"]));
        Assert.Equal(me.SessionId.ToString(), Assert.IsType<string>(ready["sessionId"]));
        var server = Assert.IsType<Dictionary<object, object?>>(Assert.Single(Assert.IsType<object?[]>(ready["servers"])));
        Assert.Equal(serverId.ToString(), Assert.IsType<string>(server["Id"]));
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteGatewayTests(SqliteApp app) : GatewayTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresGatewayTests(PostgresApp app) : GatewayTests(app), IClassFixture<PostgresApp>;
