using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Gateway;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Gateway;

/// <summary>The gateway driven by the real chat API: what people do in a channel reaches exactly who may see it.</summary>
public abstract class GatewayChatTests(KamaChatApp app)
{
    private sealed record Room(TestUser Owner, TestUser Member, Snowflake ServerId, Snowflake ChannelId, GatewayClient OwnerClient, GatewayClient MemberClient);

    private async Task<Room> RoomAsync()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);
        var channels = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/channels")).ReadAsync<List<ChannelResponse>>();
        var general = channels.Single(c => c.Name == "general").Id;
        var ownerClient = await GatewayClient.ConnectAsync(app, Token(owner));
        var memberClient = await GatewayClient.ConnectAsync(app, Token(member));
        await ownerClient.ReadyAsync();
        await memberClient.ReadyAsync();
        return new Room(owner, member, server.Id, general, ownerClient, memberClient);
    }

    private static string Token(TestUser user) => user.Client.DefaultRequestHeaders.Authorization!.Parameter!;

    [Fact]
    public async Task Messages_edits_deletes_and_reactions_reach_the_other_member_in_sequence()
    {
        var room = await RoomAsync();
        await using var _ = room.OwnerClient;
        await using var __ = room.MemberClient;

        var sent = await room.Owner.Client.SendOkAsync(room.ChannelId, "hello <@" + room.Member.Id + ">");
        var messageUrl = $"/api/v1/channels/{room.ChannelId}/messages/{sent.Id}";
        Assert.Equal(HttpStatusCode.OK, (await room.Owner.Client.PatchAsJsonAsync(messageUrl, new { content = "hello again" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await room.Member.Client.PutAsync(ChatApi.Reactions(room.ChannelId, sent.Id, "👍") + "/@me", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await room.Member.Client.DeleteAsync(ChatApi.Reactions(room.ChannelId, sent.Id, "👍") + "/@me")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await room.Owner.Client.DeleteAsync(messageUrl)).StatusCode);

        string[] expected = ["MessageCreated", "MessageUpdated", "ReactionAdded", "ReactionRemoved", "MessageDeleted"];
        var channel = room.ChannelId;
        var events = await room.MemberClient.WaitForEventsAsync(e => e.Count(x => x.ScopeId == channel) >= expected.Length);
        var inChannel = events.Where(e => e.ScopeId == channel).ToList();
        Assert.Equal(expected, inChannel.Select(e => e.Type));
        Assert.Equal(Enumerable.Range((int)inChannel[0].Sequence, expected.Length).Select(i => (long)i), inChannel.Select(e => e.Sequence));
        Assert.Equal("hello again", GatewayClient.Data(inChannel[1]).GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_client_that_was_away_for_100_messages_gets_all_of_them_once_in_order()
    {
        var room = await RoomAsync();
        await using var _ = room.OwnerClient;
        var cursor = (await room.MemberClient.ReadyAsync()).Cursors.Channels![room.ChannelId.ToString()];
        await room.MemberClient.DisposeAsync();

        for (var i = 0; i < 100; i++)
            await room.Owner.Client.SendOkAsync(room.ChannelId, $"while you were away {i}", nonce: $"away-{i}");

        await using var back = await GatewayClient.ConnectAsync(app, Token(room.Member));
        var result = await back.Connection.InvokeAsync<ResumeResult>("Resume",
            new StreamCursors(new() { [room.ChannelId.ToString()] = cursor }, null, null));

        var messages = result.Events.Where(e => e.Type == "MessageCreated").ToList();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"while you were away {i}"), messages.Select(e => GatewayClient.Data(e).GetProperty("content").GetString()));
        Assert.Equal(messages.Count, messages.Select(e => e.Id).Distinct().Count());
        Assert.Equal(Enumerable.Range((int)cursor + 1, 100).Select(i => (long)i), messages.Select(e => e.Sequence));
    }

    [Fact]
    public async Task An_outsider_receives_nothing_and_a_kicked_member_stops_receiving_at_once()
    {
        var room = await RoomAsync();
        await using var _ = room.OwnerClient;
        await using var __ = room.MemberClient;
        var outsider = await app.UserAsync();
        await using var outsiderClient = await GatewayClient.ConnectAsync(app, Token(outsider));
        await outsiderClient.ReadyAsync();

        await room.Owner.Client.SendOkAsync(room.ChannelId, "before the kick");
        await room.MemberClient.WaitForEventsAsync(e => e.Any(x => x.Type == "MessageCreated"));

        Assert.Equal(HttpStatusCode.NoContent, (await room.Owner.Client.DeleteAsync($"/api/v1/servers/{room.ServerId}/members/{room.Member.Id}")).StatusCode);
        await room.MemberClient.WaitForEventAsync("ServerRemoved");
        await room.Owner.Client.SendOkAsync(room.ChannelId, "after the kick");
        await room.OwnerClient.WaitForEventsAsync(e => e.Count(x => x.Type == "MessageCreated") == 2);
        await GatewayClient.SettleAsync();

        Assert.Single(room.MemberClient.Events, e => e.Type == "MessageCreated");
        Assert.DoesNotContain(outsiderClient.Events, e => e.Type == "MessageCreated" || e.Scope == "server");
    }

    [Fact]
    public async Task A_channel_opened_to_a_member_starts_arriving_without_a_reconnect()
    {
        var room = await RoomAsync();
        await using var _ = room.OwnerClient;
        await using var __ = room.MemberClient;
        var secret = await room.Owner.CreateChannelAsync(room.ServerId, "staff");
        var secretId = secret.Id;
        var hide = await room.Owner.Client.PutAsJsonAsync($"/api/v1/channels/{secret.Id}/permissions/role/{room.ServerId}",
            new { allow = "0", deny = ((long)P.ViewChannel).ToString(CultureInfo.InvariantCulture) });
        Assert.True(hide.IsSuccessStatusCode);

        await room.Owner.Client.SendOkAsync(secretId, "hidden");
        await GatewayClient.SettleAsync();
        Assert.DoesNotContain(room.MemberClient.Events, e => e.ScopeId == secret.Id && e.Type == "MessageCreated");

        var grant = await room.Owner.Client.PutAsJsonAsync($"/api/v1/channels/{secret.Id}/permissions/member/{room.Member.Id}",
            new { allow = ((long)(P.ViewChannel | P.ReadMessageHistory)).ToString(CultureInfo.InvariantCulture), deny = "0" });
        Assert.True(grant.IsSuccessStatusCode);
        await room.Owner.Client.SendOkAsync(secretId, "now you see it");

        var arrived = await room.MemberClient.WaitForEventsAsync(e => e.Any(x => x.ScopeId == secret.Id && x.Type == "MessageCreated"));
        Assert.Equal("now you see it", GatewayClient.Data(arrived.Single(x => x.ScopeId == secret.Id && x.Type == "MessageCreated")).GetProperty("content").GetString());
    }

    [Fact]
    public async Task Acking_a_message_clears_the_mention_count_on_the_users_other_devices()
    {
        var room = await RoomAsync();
        await using var _ = room.OwnerClient;
        await using var __ = room.MemberClient;
        var mention = await room.Owner.Client.SendOkAsync(room.ChannelId, $"<@{room.Member.Id}> look");

        await using var otherDevice = await GatewayClient.ConnectAsync(app, Token(room.Member));
        var ready = await otherDevice.ReadyAsync();
        Assert.Equal(1, ready.ReadStates.Single(r => r.ChannelId == room.ChannelId).MentionCount);

        var state = await room.MemberClient.Connection.InvokeAsync<Server.Features.ReadStates.ReadStateResponse>(
            "Ack", room.ChannelId.ToString(), mention.Id);
        Assert.Equal(0, state.MentionCount);

        var update = await otherDevice.WaitForEventAsync("ReadStateUpdated");
        Assert.Equal(mention.Id.ToString(), GatewayClient.Data(update).GetProperty("lastReadMessageId").GetString());
    }

    [Fact]
    public async Task Ready_carries_the_presence_of_a_member_who_joined_while_connected_and_not_once_they_left()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await using var memberClient = await GatewayClient.ConnectAsync(app, Token(member));
        await memberClient.ReadyAsync();

        // Joined on a live connection: the dispatcher moves it into the server's groups before telling it.
        await member.JoinAsync(owner, server.Id);
        await memberClient.WaitForEventAsync("ServerJoined");
        await using var ownerClient = await GatewayClient.ConnectAsync(app, Token(owner));
        Assert.Contains((await ownerClient.ReadyAsync()).Presences, p => p.UserId == member.Id && p.Status == "online");

        Assert.Equal(HttpStatusCode.NoContent, (await member.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/@me")).StatusCode);
        // The member's own event, not the owner's MemberLeft: the server's members are told first, and the dispatcher
        // moves the member's connection out of the server's groups (and the presence index) only with ServerRemoved,
        // before it tells the member.
        await memberClient.WaitForEventAsync("ServerRemoved");
        // Still connected, but sharing nothing with the owner any more.
        await using var ownerAgain = await GatewayClient.ConnectAsync(app, Token(owner));
        Assert.DoesNotContain((await ownerAgain.ReadyAsync()).Presences, p => p.UserId == member.Id);
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteGatewayChatTests(SqliteApp app) : GatewayChatTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresGatewayChatTests(PostgresApp app) : GatewayChatTests(app), IClassFixture<PostgresApp>;
