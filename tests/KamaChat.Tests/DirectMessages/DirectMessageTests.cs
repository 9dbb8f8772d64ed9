using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.DirectMessages;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Tests.DirectMessages;

public abstract class DirectMessageTests(KamaChatApp app)
{

    [Fact]
    public async Task Opening_a_DM_twice_from_either_side_reuses_one_channel()
    {
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();

        var first = await (await alice.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = bob.Id }))
            .ReadAsync<DmChannelResponse>(HttpStatusCode.Created);
        var again = await (await alice.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = bob.Id })).ReadAsync<DmChannelResponse>();
        var fromBob = await (await bob.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = alice.Id })).ReadAsync<DmChannelResponse>();

        Assert.Equal("dm", first.Type);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(first.Id, fromBob.Id);
        Assert.Equal(new[] { alice.Id, bob.Id }.Order(), first.Recipients.Select(r => r.Id).Order());
        Assert.Equal(["DmChannelCreated"], (await app.EventsAsync(EventScope.User, bob.Id)).Select(e => e.Type));
    }

    [Fact]
    public async Task Concurrent_opens_of_the_same_pair_create_one_channel()
    {
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? alice : bob).Client
            .PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = i % 2 == 0 ? bob.Id : alice.Id })));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, r.StatusCode.ToString()));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<DmChannelResponse>(Api.Json))!.Id));
        Assert.Single(ids.Distinct());
        var key = DmChannels.KeyFor(alice.Id, bob.Id);
        Assert.Equal(1, await app.QueryAsync(db => db.Channels.CountAsync(c => c.DmKey == key)));
    }

    [Fact]
    public async Task You_cannot_DM_yourself_or_someone_who_does_not_exist()
    {
        var alice = await app.UserAsync();
        await (await alice.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = alice.Id }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "cannot_dm_self");
        await (await alice.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = "123456" }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await alice.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Messages_reactions_and_pins_work_in_a_DM_and_outsiders_get_404()
    {
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();
        var eve = await app.UserAsync();
        var dm = await OpenDmAsync(alice, bob);

        var message = await alice.Client.SendOkAsync(dm, $"hi <@{bob.Id}> <@{eve.Id}> @everyone");
        Assert.Equal([bob.Id], message.Mentions);
        Assert.False(message.MentionsEveryone);
        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.PutAsync(ChatApi.Reactions(dm, message.Id, "👋") + "/@me", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.PutAsync($"/api/v1/channels/{dm}/pins/{message.Id}", null)).StatusCode);
        var history = await (await bob.Client.GetAsync($"/api/v1/channels/{dm}/messages")).ReadAsync<List<MessageResponse>>();
        Assert.True(Assert.Single(history).Pinned);

        await (await eve.Client.GetAsync($"/api/v1/channels/{dm}/messages")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await eve.Client.SendMessageAsync(dm, "let me in")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await eve.Client.PutAsync(ChatApi.Reactions(dm, message.Id, "👋") + "/@me", null)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await eve.Client.PutAsync($"/api/v1/channels/{dm}/pins/{message.Id}", null)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await eve.Client.PutAsync($"/api/v1/channels/{dm}/recipients/{eve.Id}", null)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await app.AssertChannelEventsAsync(dm, "MessageCreated", "ReactionAdded", "MessagePinned");
    }

    [Fact]
    public async Task My_DM_list_is_ordered_by_last_message()
    {
        var me = await app.UserAsync();
        var a = await app.UserAsync();
        var b = await app.UserAsync();
        var c = await app.UserAsync();
        var withA = await OpenDmAsync(me, a);
        var withB = await OpenDmAsync(me, b);
        var group = await (await me.Client.PostAsJsonAsync("/api/v1/users/@me/group-channels", new { recipientIds = new[] { b.Id, c.Id }, name = " pals " }))
            .ReadAsync<DmChannelResponse>(HttpStatusCode.Created);
        await a.Client.SendOkAsync(withA, "newest");

        var list = await (await me.Client.GetAsync("/api/v1/users/@me/channels")).ReadAsync<List<DmChannelResponse>>();

        Assert.Equal([withA, group.Id, withB], list.Select(d => d.Id));
        Assert.Equal("group_dm", list[1].Type);
        Assert.Equal("pals", list[1].Name);
        Assert.Equal(me.Id, list[1].OwnerId);
        Assert.Equal(3, list[1].Recipients.Count);
        Assert.NotNull(list[0].LastMessageId);
        Assert.Equal([withA], (await (await a.Client.GetAsync("/api/v1/users/@me/channels")).ReadAsync<List<DmChannelResponse>>()).Select(d => d.Id));
    }

    private static async Task<Snowflake> OpenDmAsync(TestUser from, TestUser to)
    {
        var response = await from.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = to.Id });
        var dm = await response.ReadAsync<DmChannelResponse>(HttpStatusCode.Created);
        return dm.Id;
    }

}

[Trait("Provider", "sqlite")]
public sealed class SqliteDirectMessageTests(SqliteApp app) : DirectMessageTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresDirectMessageTests(PostgresApp app) : DirectMessageTests(app), IClassFixture<PostgresApp>;
