using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.DirectMessages;
using KamaChat.Server.Features.Events;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Tests.DirectMessages;

public abstract class GroupDmTests(KamaChatApp app)
{

    [Fact]
    public async Task A_group_DM_holds_at_most_ten_people_owner_included()
    {
        var owner = await app.UserAsync();
        var people = new List<TestUser>();
        for (var i = 0; i < 10; i++)
            people.Add(await app.UserAsync());

        await (await owner.Client.PostAsJsonAsync("/api/v1/users/@me/group-channels", new { recipientIds = people.Select(p => p.Id).ToArray() }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "too_many_recipients");
        Assert.Equal(0, await app.QueryAsync(db => db.Channels.CountAsync(c => c.OwnerId == owner.Id)));

        var group = await CreateAsync(owner, people.Take(8).ToArray());
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.PutAsync($"/api/v1/channels/{group}/recipients/{people[8].Id}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.PutAsync($"/api/v1/channels/{group}/recipients/{people[8].Id}", null)).StatusCode);
        await (await owner.Client.PutAsync($"/api/v1/channels/{group}/recipients/{people[9].Id}", null))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "too_many_recipients");

        Assert.Equal(10, await app.QueryAsync(db => db.ChannelRecipients.CountAsync(r => r.ChannelId == group)));
        Assert.Equal(["DmChannelCreated"], (await app.EventsAsync(EventScope.User, people[8].Id)).Select(e => e.Type));
        Assert.Empty(await app.EventsAsync(EventScope.User, people[9].Id));
        await app.AssertChannelEventsAsync(group, "RecipientAdded", "MessageCreated");
    }

    [Fact]
    public async Task Only_the_owner_adds_or_removes_others_but_anyone_can_leave()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var other = await app.UserAsync();
        var newcomer = await app.UserAsync();
        var group = await CreateAsync(owner, member, other);

        await (await member.Client.PutAsync($"/api/v1/channels/{group}/recipients/{newcomer.Id}", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "not_owner");
        await (await member.Client.DeleteAsync($"/api/v1/channels/{group}/recipients/{other.Id}")).AssertProblemAsync(HttpStatusCode.Forbidden, "not_owner");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{group}/recipients/{other.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await member.Client.DeleteAsync($"/api/v1/channels/{group}/recipients/{member.Id}")).StatusCode);

        Assert.Equal([owner.Id], await app.QueryAsync(db => db.ChannelRecipients.Where(r => r.ChannelId == group).Select(r => r.UserId).ToListAsync()));
        await (await member.Client.GetAsync($"/api/v1/channels/{group}/messages")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal("DmChannelRemoved", (await app.EventsAsync(EventScope.User, member.Id))[^1].Type);
        await app.AssertChannelEventsAsync(group, "MessageCreated", "RecipientRemoved", "MessageCreated", "RecipientRemoved");
    }

    [Fact]
    public async Task When_the_owner_leaves_the_longest_standing_member_takes_over_and_the_last_to_leave_deletes_the_group()
    {
        var owner = await app.UserAsync();
        var first = await app.UserAsync();
        var second = await app.UserAsync();
        var late = await app.UserAsync();
        var group = await CreateAsync(owner, first, second);
        await owner.Client.PutAsync($"/api/v1/channels/{group}/recipients/{late.Id}", null);
        await owner.Client.SendOkAsync(group, "bye all");

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{group}/recipients/{owner.Id}")).StatusCode);
        var list = await (await late.Client.GetAsync("/api/v1/users/@me/channels")).ReadAsync<List<DmChannelResponse>>();
        Assert.Equal(first.Id, Assert.Single(list).OwnerId);
        Assert.Equal("DmChannelUpdated", (await app.EventsAsync(EventScope.User, late.Id))[^1].Type);

        // The new owner can now add and remove people.
        Assert.Equal(HttpStatusCode.NoContent, (await first.Client.DeleteAsync($"/api/v1/channels/{group}/recipients/{late.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await first.Client.DeleteAsync($"/api/v1/channels/{group}/recipients/{first.Id}")).StatusCode);
        Assert.Equal(second.Id, Assert.Single(await (await second.Client.GetAsync("/api/v1/users/@me/channels")).ReadAsync<List<DmChannelResponse>>()).OwnerId);
        Assert.Equal(HttpStatusCode.NoContent, (await second.Client.DeleteAsync($"/api/v1/channels/{group}/recipients/{second.Id}")).StatusCode);

        Assert.False(await app.QueryAsync(db => db.Channels.AnyAsync(c => c.Id == group)));
        Assert.Equal(0, await app.MessageCountAsync(group));
    }

    [Fact]
    public async Task Recipients_cannot_be_changed_on_a_one_to_one_DM()
    {
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();
        var carol = await app.UserAsync();
        var dm = await (await alice.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = bob.Id })).ReadAsync<DmChannelResponse>(HttpStatusCode.Created);

        await (await alice.Client.PutAsync($"/api/v1/channels/{dm.Id}/recipients/{carol.Id}", null)).AssertProblemAsync(HttpStatusCode.BadRequest, "not_group_dm");
        await (await alice.Client.DeleteAsync($"/api/v1/channels/{dm.Id}/recipients/{alice.Id}")).AssertProblemAsync(HttpStatusCode.BadRequest, "not_group_dm");
    }

    [Fact]
    public async Task Group_DMs_can_also_be_created_through_the_DM_endpoint()
    {
        var owner = await app.UserAsync();
        var a = await app.UserAsync();
        var b = await app.UserAsync();

        var group = await (await owner.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientIds = new[] { a.Id, b.Id, a.Id } }))
            .ReadAsync<DmChannelResponse>(HttpStatusCode.Created);

        Assert.Equal("group_dm", group.Type);
        Assert.Equal(3, group.Recipients.Count);
        await (await owner.Client.PostAsJsonAsync("/api/v1/users/@me/group-channels", new { recipientIds = new List<string> { "424242" } }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    private static async Task<Snowflake> CreateAsync(TestUser owner, params TestUser[] others)
    {
        var response = await owner.Client.PostAsJsonAsync("/api/v1/users/@me/group-channels", new { recipientIds = others.Select(o => o.Id).ToArray() });
        return (await response.ReadAsync<DmChannelResponse>(HttpStatusCode.Created)).Id;
    }

}

[Trait("Provider", "sqlite")]
public sealed class SqliteGroupDmTests(SqliteApp app) : GroupDmTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresGroupDmTests(PostgresApp app) : GroupDmTests(app), IClassFixture<PostgresApp>;
