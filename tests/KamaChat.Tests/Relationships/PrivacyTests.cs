using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Relationships;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Relationships;

public abstract class PrivacyTests(KamaChatApp app)
{
    [Fact]
    public async Task Everything_is_allowed_by_default_and_a_patch_changes_only_what_it_sends()
    {
        var bob = await app.UserAsync();

        var initial = await (await bob.Client.GetAsync("/api/v1/users/@me/privacy")).ReadAsync<PrivacySettingsResponse>();
        Assert.Equal((true, new FriendRequestPrivacy(true, true, true)), (initial.AllowDmsFromServerMembers, initial.FriendRequests));
        Assert.Empty(initial.Servers);

        var narrowed = await bob.SetPrivacyAsync(new { friendRequests = new { everyone = false, friendsOfFriends = false, serverMembers = true } });
        Assert.Equal((true, new FriendRequestPrivacy(false, false, true)), (narrowed.AllowDmsFromServerMembers, narrowed.FriendRequests));
        var noDms = await bob.SetPrivacyAsync(new { allowDmsFromServerMembers = false });
        Assert.Equal((false, new FriendRequestPrivacy(false, false, true)), (noDms.AllowDmsFromServerMembers, noDms.FriendRequests));
        // Everyone includes the narrower groups.
        var everyone = await bob.SetPrivacyAsync(new { friendRequests = new { everyone = true, friendsOfFriends = false, serverMembers = false } });
        Assert.Equal(new FriendRequestPrivacy(true, true, true), everyone.FriendRequests);
    }

    [Fact]
    public async Task Friend_requests_follow_who_the_recipient_accepts_them_from()
    {
        var bob = await app.UserAsync();
        var stranger = await app.UserAsync();
        var member = await app.UserAsync();
        var friendOfFriend = await app.UserAsync();
        var mutual = await app.UserAsync();
        var server = await bob.CreateServerAsync();
        await member.JoinAsync(bob, server.Id);
        await bob.BefriendAsync(mutual);
        await friendOfFriend.BefriendAsync(mutual);

        await bob.SetPrivacyAsync(new { friendRequests = new { everyone = false, friendsOfFriends = false, serverMembers = true } });
        await (await stranger.RequestFriendAsync(bob.Username)).AssertProblemAsync(HttpStatusCode.Forbidden, "friend_request_refused");
        await (await friendOfFriend.RequestFriendAsync(bob.Username)).AssertProblemAsync(HttpStatusCode.Forbidden, "friend_request_refused");
        Assert.Equal("outgoing", (await (await member.RequestFriendAsync(bob.Username)).ReadAsync<RelationshipResponse>()).Type);

        await bob.SetPrivacyAsync(new { friendRequests = new { everyone = false, friendsOfFriends = true, serverMembers = false } });
        Assert.Equal("outgoing", (await (await friendOfFriend.RequestFriendAsync(bob.Username)).ReadAsync<RelationshipResponse>()).Type);
        await (await stranger.RequestFriendAsync(bob.Username)).AssertProblemAsync(HttpStatusCode.Forbidden, "friend_request_refused");

        // Bob may still ask them himself, and accepting a request already made is never refused.
        Assert.Equal("outgoing", (await (await bob.RequestFriendAsync(stranger.Username)).ReadAsync<RelationshipResponse>()).Type);
        Assert.Equal("friend", (await (await stranger.SetRelationshipAsync(bob, "friend")).ReadAsync<RelationshipResponse>()).Type);
        Assert.Equal(
            new[] { $"{friendOfFriend.Username}:incoming", $"{member.Username}:incoming", $"{mutual.Username}:friend", $"{stranger.Username}:friend" }.Order(),
            await bob.RelationshipListAsync());
    }

    [Fact]
    public async Task DMs_from_people_who_are_not_friends_follow_the_default_and_each_servers_choice()
    {
        var bob = await app.UserAsync();
        var member = await app.UserAsync();
        var stranger = await app.UserAsync();
        var friend = await app.UserAsync();
        var server = await bob.CreateServerAsync();
        var quiet = await bob.CreateServerAsync("Quiet");
        await member.JoinAsync(bob, server.Id);
        await member.JoinAsync(bob, quiet.Id);
        await friend.JoinAsync(bob, quiet.Id);
        await bob.BefriendAsync(friend);

        await bob.SetPrivacyAsync(new { allowDmsFromServerMembers = false });
        await (await member.OpenDmAsync(bob)).AssertProblemAsync(HttpStatusCode.Forbidden, "cannot_message_user");
        await (await stranger.OpenDmAsync(bob)).AssertProblemAsync(HttpStatusCode.Forbidden, "cannot_message_user");
        var withFriend = await friend.OpenDmOkAsync(bob);
        await friend.Client.SendOkAsync(withFriend, "friends always may");

        // One shared server that allows it is enough.
        var set = await (await bob.Client.PutAsJsonAsync($"/api/v1/users/@me/privacy/servers/{server.Id}", new { allowDms = true }))
            .ReadAsync<PrivacySettingsResponse>();
        Assert.Equal([new ServerPrivacyResponse(server.Id, true)], set.Servers);
        var dm = await member.OpenDmOkAsync(bob);
        await member.Client.SendOkAsync(dm, "hello from the server");

        // Taking it back stops messages in the DM they already have; back to the default, too.
        await (await bob.Client.PutAsJsonAsync($"/api/v1/users/@me/privacy/servers/{server.Id}", new { allowDms = false })).ReadAsync<PrivacySettingsResponse>();
        await (await member.Client.SendMessageAsync(dm, "still there?")).AssertProblemAsync(HttpStatusCode.Forbidden, "cannot_message_user");
        var cleared = await (await bob.Client.DeleteAsync($"/api/v1/users/@me/privacy/servers/{server.Id}")).ReadAsync<PrivacySettingsResponse>();
        Assert.Empty(cleared.Servers);
        await (await member.Client.SendMessageAsync(dm, "still there?")).AssertProblemAsync(HttpStatusCode.Forbidden, "cannot_message_user");
        Assert.Equal(1, await app.MessageCountAsync(dm));

        // With the default on, a server set to "no" refuses its members, while someone sharing no server follows the default.
        await bob.SetPrivacyAsync(new { allowDmsFromServerMembers = true });
        await (await bob.Client.PutAsJsonAsync($"/api/v1/users/@me/privacy/servers/{server.Id}", new { allowDms = false })).ReadAsync<PrivacySettingsResponse>();
        await (await bob.Client.PutAsJsonAsync($"/api/v1/users/@me/privacy/servers/{quiet.Id}", new { allowDms = false })).ReadAsync<PrivacySettingsResponse>();
        await (await member.Client.SendMessageAsync(dm, "and now?")).AssertProblemAsync(HttpStatusCode.Forbidden, "cannot_message_user");
        await stranger.OpenDmOkAsync(bob);

        // A server's choice is for its members to make: anyone else gets 404, as for any server they cannot see.
        await (await stranger.Client.PutAsJsonAsync($"/api/v1/users/@me/privacy/servers/{server.Id}", new { allowDms = true }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await bob.Client.PutAsJsonAsync($"/api/v1/users/@me/privacy/servers/{server.Id}", new { }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqlitePrivacyTests(SqliteApp app) : PrivacyTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresPrivacyTests(PostgresApp app) : PrivacyTests(app), IClassFixture<PostgresApp>;
