using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.DirectMessages;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Relationships;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Tests.Relationships;

public abstract class BlockingTests(KamaChatApp app)
{
    [Fact]
    public async Task Blocking_a_friend_ends_the_friendship_and_they_can_no_longer_message_or_ask_again()
    {
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();
        await alice.BefriendAsync(bob);
        var dm = await alice.OpenDmOkAsync(bob);
        await alice.Client.SendOkAsync(dm, "hi bob");

        await bob.BlockAsync(alice);

        Assert.Equal([$"{alice.Username}:blocked"], await bob.RelationshipListAsync());
        Assert.Empty(await alice.RelationshipListAsync());
        // Alice is told the friendship ended, never that she was blocked.
        Assert.Equal("RelationshipRemoved", (await app.EventsAsync(EventScope.User, alice.Id)).Last().Type);
        Assert.DoesNotContain(await app.EventsAsync(EventScope.User, alice.Id), e => e.Payload.Contains("blocked", StringComparison.Ordinal));

        // Her messages in the DM they had, and a new friend request, answer as a privacy refusal would; nothing is written.
        var before = await app.EventsAsync(EventScope.Channel, dm);
        await (await alice.Client.SendMessageAsync(dm, "are you there?")).AssertProblemAsync(HttpStatusCode.Forbidden, "cannot_message_user");
        await (await alice.RequestFriendAsync(bob.Username)).AssertProblemAsync(HttpStatusCode.Forbidden, "friend_request_refused");
        await (await alice.SetRelationshipAsync(bob, "friend")).AssertProblemAsync(HttpStatusCode.Forbidden, "friend_request_refused");
        Assert.Equal(1, await app.MessageCountAsync(dm));
        Assert.Equal(before.Count, (await app.EventsAsync(EventScope.Channel, dm)).Count);
        Assert.Equal([$"{alice.Username}:blocked"], await bob.RelationshipListAsync());
        Assert.Empty(await alice.RelationshipListAsync());

        // Bob is told plainly that he blocked her.
        await (await bob.Client.SendMessageAsync(dm, "bye")).AssertProblemAsync(HttpStatusCode.Forbidden, "user_blocked");
        await (await bob.RequestFriendAsync(alice.Username)).AssertProblemAsync(HttpStatusCode.Forbidden, "user_blocked");
    }

    [Fact]
    public async Task A_blocked_user_cannot_open_a_DM_with_the_blocker_and_no_channel_is_made()
    {
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();
        await bob.BlockAsync(alice);

        await (await alice.OpenDmAsync(bob)).AssertProblemAsync(HttpStatusCode.Forbidden, "cannot_message_user");
        await (await bob.OpenDmAsync(alice)).AssertProblemAsync(HttpStatusCode.Forbidden, "user_blocked");

        var key = DmChannels.KeyFor(alice.Id, bob.Id);
        Assert.Equal(0, await app.QueryAsync(db => db.Channels.CountAsync(c => c.DmKey == key)));
        Assert.DoesNotContain(await app.EventsAsync(EventScope.User, bob.Id), e => e.Type == "DmChannelCreated");
    }

    [Fact]
    public async Task A_blocked_user_cannot_put_the_blocker_in_a_group_DM()
    {
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();
        var carol = await app.UserAsync();
        await bob.BlockAsync(alice);

        await (await alice.Client.PostAsJsonAsync("/api/v1/users/@me/group-channels", new { recipientIds = new[] { carol.Id, bob.Id } }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "cannot_message_user");
        Assert.Equal(0, await app.QueryAsync(db => db.Channels.CountAsync(c => c.OwnerId == alice.Id)));

        var group = await (await alice.Client.PostAsJsonAsync("/api/v1/users/@me/group-channels", new { recipientIds = new[] { carol.Id } }))
            .ReadAsync<DmChannelResponse>(HttpStatusCode.Created);
        await (await alice.Client.PutAsync($"/api/v1/channels/{group.Id}/recipients/{bob.Id}", null))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "cannot_message_user");
        Assert.Equal(2, await app.QueryAsync(db => db.ChannelRecipients.CountAsync(r => r.ChannelId == group.Id)));
        Assert.Empty(await app.EventsAsync(EventScope.Channel, group.Id));
        Assert.Equal(0, await app.MessageCountAsync(group.Id));
        Assert.DoesNotContain(await app.EventsAsync(EventScope.User, bob.Id), e => e.Type == "DmChannelCreated");

        // Carol, whom Bob did not block, may add him to her own group.
        var carols = await (await carol.Client.PostAsJsonAsync("/api/v1/users/@me/group-channels", new { recipientIds = new[] { bob.Id } }))
            .ReadAsync<DmChannelResponse>(HttpStatusCode.Created);
        Assert.Equal(2, carols.Recipients.Count);
    }

    [Fact]
    public async Task Unblocking_lets_them_message_and_ask_again()
    {
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();
        await bob.BlockAsync(alice);
        await bob.BlockAsync(alice); // blocking twice is one block

        Assert.Equal(HttpStatusCode.NoContent, (await bob.RemoveRelationshipAsync(alice)).StatusCode);

        Assert.Empty(await bob.RelationshipListAsync());
        var dm = await alice.OpenDmOkAsync(bob);
        await alice.Client.SendOkAsync(dm, "hello again");
        await alice.BefriendAsync(bob);
    }

    [Fact]
    public async Task When_both_block_each_other_one_unblocking_leaves_the_other_block_standing()
    {
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();
        await alice.BlockAsync(bob);
        await bob.BlockAsync(alice);

        Assert.Equal(HttpStatusCode.NoContent, (await alice.RemoveRelationshipAsync(bob)).StatusCode);

        Assert.Empty(await alice.RelationshipListAsync());
        Assert.Equal([$"{alice.Username}:blocked"], await bob.RelationshipListAsync());
        await (await alice.OpenDmAsync(bob)).AssertProblemAsync(HttpStatusCode.Forbidden, "cannot_message_user");
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteBlockingTests(SqliteApp app) : BlockingTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresBlockingTests(PostgresApp app) : BlockingTests(app), IClassFixture<PostgresApp>;
