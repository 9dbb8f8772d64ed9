using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.DirectMessages;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.DirectMessages;

/// <summary>Renaming a group DM, its icon, and the lines each change (and each addition or removal) leaves in the conversation.</summary>
public abstract class GroupDmManagementTests(KamaChatApp app)
{
    [Fact]
    public async Task Any_participant_renames_the_group_and_sets_its_icon_and_each_change_leaves_a_system_line()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var group = await CreateAsync(owner, member);

        var renamed = await (await member.Client.PatchAsJsonAsync($"/api/v1/channels/{group}/group", new { name = "  Trip planning " }))
            .ReadAsync<DmChannelResponse>();
        Assert.Equal("Trip planning", renamed.Name);
        var withIcon = await (await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{group}/group", new { iconUrl = "https://example.org/trip.png" }))
            .ReadAsync<DmChannelResponse>();
        Assert.Equal(("Trip planning", "https://example.org/trip.png"), (withIcon.Name, withIcon.IconUrl));
        // The same values again change nothing and write no line.
        await (await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{group}/group", new { name = "Trip planning" })).ReadAsync<DmChannelResponse>();

        var history = await HistoryAsync(owner, group);
        Assert.Equal(["channelNameChanged", "channelIconChanged"], history.Select(m => m.Kind));
        Assert.Equal((member.Id, "Trip planning"), (history[0].Author.Id, history[0].Content));
        Assert.Equal(owner.Id, history[1].Author.Id);
        Assert.Equal("DmChannelUpdated", (await app.EventsAsync(EventScope.User, owner.Id))[^1].Type);
        Assert.Equal("DmChannelUpdated", (await app.EventsAsync(EventScope.User, member.Id))[^1].Type);
        await app.AssertChannelEventsAsync(group, "MessageCreated", "MessageCreated");

        // "" clears the name (the group is then called by its members' names).
        var cleared = await (await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{group}/group", new { name = "" })).ReadAsync<DmChannelResponse>();
        Assert.Null(cleared.Name);
    }

    [Fact]
    public async Task Bad_group_input_and_outsiders_are_refused_and_nothing_is_written()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var outsider = await app.UserAsync();
        var group = await CreateAsync(owner, member);
        var dm = await (await owner.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = member.Id }))
            .ReadAsync<DmChannelResponse>(HttpStatusCode.Created);
        var before = await app.SnapshotAsync();

        await (await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{group}/group", new { iconUrl = "javascript:alert(1)" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{group}/group", new { name = new string('x', 101) }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await outsider.Client.PatchAsJsonAsync($"/api/v1/channels/{group}/group", new { name = "mine now" }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{dm.Id}/group", new { name = "a DM has no name" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "not_group_dm");
        await (await member.Client.DeleteAsync($"/api/v1/channels/{group}/recipients/{owner.Id}"))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "not_owner");

        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task Adding_removing_and_leaving_each_leave_a_line_naming_who_did_it_to_whom()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var newcomer = await app.UserAsync();
        var group = await CreateAsync(owner, member);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.PutAsync($"/api/v1/channels/{group}/recipients/{newcomer.Id}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{group}/recipients/{member.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await newcomer.Client.DeleteAsync($"/api/v1/channels/{group}/recipients/{newcomer.Id}")).StatusCode);

        var lines = (await HistoryAsync(owner, group)).Select(m => (m.Kind, m.Author.Id, m.Target?.Id)).ToList();
        Assert.Equal([
            ("recipientAdded", owner.Id, (Snowflake?)newcomer.Id),
            ("recipientRemoved", owner.Id, member.Id),
            ("recipientRemoved", newcomer.Id, newcomer.Id),
        ], lines);
        // The DM list moves the group up by its newest line.
        var list = await (await owner.Client.GetAsync("/api/v1/users/@me/channels")).ReadAsync<List<DmChannelResponse>>();
        Assert.Equal((await HistoryAsync(owner, group))[^1].Id, list.Single(c => c.Id == group).LastMessageId);
    }

    [Fact]
    public async Task A_system_line_cannot_be_edited_even_by_its_author()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var group = await CreateAsync(owner, member);
        await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{group}/group", new { name = "Named" });
        var line = Assert.Single(await HistoryAsync(owner, group));

        await (await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{group}/messages/{line.Id}", new { content = "forged" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "system_message");
        Assert.Equal("Named", Assert.Single(await HistoryAsync(owner, group)).Content);
    }

    private static async Task<List<MessageResponse>> HistoryAsync(TestUser user, Snowflake channelId) =>
        (await (await user.Client.GetAsync($"/api/v1/channels/{channelId}/messages")).ReadAsync<List<MessageResponse>>()).OrderBy(m => m.Id).ToList();

    private static async Task<Snowflake> CreateAsync(TestUser owner, params TestUser[] others)
    {
        var response = await owner.Client.PostAsJsonAsync("/api/v1/users/@me/group-channels", new { recipientIds = others.Select(o => o.Id).ToArray() });
        return (await response.ReadAsync<DmChannelResponse>(HttpStatusCode.Created)).Id;
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteGroupDmManagementTests(SqliteApp app) : GroupDmManagementTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresGroupDmManagementTests(PostgresApp app) : GroupDmManagementTests(app), IClassFixture<PostgresApp>;
