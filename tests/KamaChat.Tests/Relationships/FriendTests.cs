using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Relationships;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Tests.Relationships;

public abstract class FriendTests(KamaChatApp app)
{
    [Fact]
    public async Task A_request_by_username_once_accepted_makes_both_friends_and_each_side_is_told()
    {
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();

        // Usernames are matched as sign-in matches them: capitals and a leading @ aside.
        var sent = await (await alice.RequestFriendAsync("@" + bob.Username.ToUpperInvariant())).ReadAsync<RelationshipResponse>();
        Assert.Equal(("outgoing", bob.Id), (sent.Type, sent.Id));
        Assert.Equal([$"{alice.Username}:incoming"], await bob.RelationshipListAsync());
        // Asking again changes nothing.
        Assert.Equal("outgoing", (await (await alice.RequestFriendAsync(bob.Username)).ReadAsync<RelationshipResponse>()).Type);

        var accepted = await (await bob.SetRelationshipAsync(alice, "friend")).ReadAsync<RelationshipResponse>();
        Assert.Equal("friend", accepted.Type);
        Assert.Equal([$"{bob.Username}:friend"], await alice.RelationshipListAsync());
        Assert.Equal([$"{alice.Username}:friend"], await bob.RelationshipListAsync());
        Assert.Equal("offline", Assert.Single(await alice.RelationshipsAsync()).Status);

        var aliceEvents = await app.EventsAsync(EventScope.User, alice.Id);
        var bobEvents = await app.EventsAsync(EventScope.User, bob.Id);
        Assert.Equal(["RelationshipUpdated:outgoing", "RelationshipUpdated:friend"], aliceEvents.Select(Describe));
        Assert.Equal(["RelationshipUpdated:incoming", "RelationshipUpdated:friend"], bobEvents.Select(Describe));
    }

    [Fact]
    public async Task Two_people_asking_each_other_at_once_become_friends_once()
    {
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();

        var answers = await Task.WhenAll(alice.RequestFriendAsync(bob.Username), bob.RequestFriendAsync(alice.Username));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal([$"{bob.Username}:friend"], await alice.RelationshipListAsync());
        Assert.Equal([$"{alice.Username}:friend"], await bob.RelationshipListAsync());
        Assert.Equal(2, await app.QueryAsync(db => db.Set<Relationship>().CountAsync(r =>
            (r.UserId == alice.Id && r.OtherUserId == bob.Id) || (r.UserId == bob.Id && r.OtherUserId == alice.Id))));
    }

    [Fact]
    public async Task Declining_cancelling_and_unfriending_end_it_on_both_sides()
    {
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();

        await (await alice.RequestFriendAsync(bob.Username)).ReadAsync<RelationshipResponse>();
        Assert.Equal(HttpStatusCode.NoContent, (await bob.RemoveRelationshipAsync(alice)).StatusCode); // decline
        Assert.Empty(await alice.RelationshipListAsync());
        Assert.Empty(await bob.RelationshipListAsync());

        await (await alice.RequestFriendAsync(bob.Username)).ReadAsync<RelationshipResponse>();
        Assert.Equal(HttpStatusCode.NoContent, (await alice.RemoveRelationshipAsync(bob)).StatusCode); // cancel
        Assert.Empty(await bob.RelationshipListAsync());

        await alice.BefriendAsync(bob);
        Assert.Equal(HttpStatusCode.NoContent, (await bob.RemoveRelationshipAsync(alice)).StatusCode); // unfriend
        Assert.Empty(await alice.RelationshipListAsync());
        Assert.Empty(await bob.RelationshipListAsync());
        await (await bob.RemoveRelationshipAsync(alice)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");

        Assert.Equal(
            ["RelationshipUpdated:outgoing", "RelationshipRemoved", "RelationshipUpdated:outgoing", "RelationshipRemoved",
             "RelationshipUpdated:outgoing", "RelationshipUpdated:friend", "RelationshipRemoved"],
            (await app.EventsAsync(EventScope.User, alice.Id)).Select(Describe));
    }

    [Fact]
    public async Task Bad_requests_are_refused_and_change_nothing()
    {
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();

        await (await alice.RequestFriendAsync("nobody_" + Guid.NewGuid().ToString("N")[..8])).AssertProblemAsync(HttpStatusCode.NotFound, "user_not_found");
        await (await alice.RequestFriendAsync(alice.Username)).AssertProblemAsync(HttpStatusCode.BadRequest, "cannot_friend_self");
        await (await alice.RequestFriendAsync("")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await alice.SetRelationshipAsync(bob, "enemy")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await alice.SetRelationshipAsync(alice, "blocked")).AssertProblemAsync(HttpStatusCode.BadRequest, "cannot_block_self");
        await (await alice.Client.PutAsJsonAsync($"{FriendApi.Relationships}/123456", new { type = "friend" }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");

        Assert.Empty(await alice.RelationshipListAsync());
        Assert.Empty(await app.EventsAsync(EventScope.User, alice.Id));
    }

    [Fact]
    public async Task Friend_events_reach_the_two_people_only_and_friends_see_each_others_presence()
    {
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();
        var carol = await app.UserAsync();
        await using var aliceGateway = await GatewayClient.ConnectAsync(app, alice.Tokens.AccessToken);
        await using var bobGateway = await GatewayClient.ConnectAsync(app, bob.Tokens.AccessToken);
        await using var carolGateway = await GatewayClient.ConnectAsync(app, carol.Tokens.AccessToken);
        await Task.WhenAll(aliceGateway.ReadyAsync(), bobGateway.ReadyAsync(), carolGateway.ReadyAsync());

        await (await alice.RequestFriendAsync(bob.Username)).ReadAsync<RelationshipResponse>();
        var incoming = await bobGateway.WaitForEventAsync("RelationshipUpdated");
        Assert.Equal("incoming", GatewayClient.Data(incoming).GetProperty("type").GetString());
        Assert.Equal(alice.Id.ToString(), GatewayClient.Data(incoming).GetProperty("id").GetString());
        await (await bob.SetRelationshipAsync(alice, "friend")).ReadAsync<RelationshipResponse>();
        await aliceGateway.WaitForEventsAsync(events => events.Count(e => e.Type == "RelationshipUpdated") == 2);

        // They share no server and no DM: presence reaches them because they are friends, and only them.
        await bobGateway.Connection.InvokeAsync("SetPresence", "dnd");
        await aliceGateway.WaitForPresenceAsync(bob.Id, "dnd");
        await GatewayClient.SettleAsync();
        Assert.Empty(carolGateway.Events);
        Assert.DoesNotContain(carolGateway.Presence, p => p.UserId == bob.Id);

        // A friend's Ready carries the other's presence; once unfriended, presence stops.
        await using var aliceAgain = await GatewayClient.ConnectAsync(app, alice.Tokens.AccessToken);
        Assert.Contains((await aliceAgain.ReadyAsync()).Presences, p => p.UserId == bob.Id && p.Status == "dnd");
        Assert.Equal(HttpStatusCode.NoContent, (await alice.RemoveRelationshipAsync(bob)).StatusCode);
        await aliceAgain.WaitForEventAsync("RelationshipRemoved");
        await bobGateway.WaitForEventAsync("RelationshipRemoved");
        await bobGateway.Connection.InvokeAsync("SetPresence", "idle");
        await GatewayClient.SettleAsync();
        Assert.DoesNotContain(aliceAgain.Presence, p => p.UserId == bob.Id && p.Status == "idle");
    }

    [Fact]
    public async Task Deleting_an_account_ends_its_friendships_requests_and_blocks_and_the_others_are_told()
    {
        var leaver = await app.UserAsync();
        var friend = await app.UserAsync();
        var asked = await app.UserAsync();
        var blocker = await app.UserAsync();
        await leaver.BefriendAsync(friend);
        await (await leaver.RequestFriendAsync(asked.Username)).ReadAsync<RelationshipResponse>();
        await blocker.BlockAsync(leaver);

        Assert.Equal(HttpStatusCode.NoContent, (await leaver.Client.DeleteAsync("/api/v1/users/@me", new { password = Api.GoodPassword })).StatusCode);

        foreach (var other in new[] { friend, asked, blocker })
        {
            Assert.Empty(await other.RelationshipListAsync());
            Assert.Equal("RelationshipRemoved", (await app.EventsAsync(EventScope.User, other.Id)).Last().Type);
        }
        Assert.Equal(0, await app.QueryAsync(db => db.Set<Relationship>().CountAsync(r => r.UserId == leaver.Id || r.OtherUserId == leaver.Id)));
    }

    private static string Describe(EventLogEntry e) =>
        e.Type == "RelationshipUpdated" ? $"{e.Type}:{System.Text.Json.JsonDocument.Parse(e.Payload).RootElement.GetProperty("type").GetString()}" : e.Type;
}

[Trait("Provider", "sqlite")]
public sealed class SqliteFriendTests(SqliteApp app) : FriendTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresFriendTests(PostgresApp app) : FriendTests(app), IClassFixture<PostgresApp>;
