using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.DirectMessages;
using KamaChat.Server.Features.Permissions;
using KamaChat.Tests.Infrastructure;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Search;

/// <summary>
/// Search shows only what the caller may read at the moment of the search: each rule is tried by changing access
/// through the API between two searches, and what is deleted or edited is found no more (or by its new text only).
/// </summary>
public abstract class SearchAccessTests(KamaChatApp app)
{
    [Fact]
    public async Task An_overwrite_hiding_a_channel_takes_its_hits_away_at_once()
    {
        var member = await app.UserAsync();
        var (serverId, general, owner) = await app.SeedServerWithChannelAsync(member);
        var staff = await owner.CreateChannelAsync(serverId, "staff");
        var open = await owner.Client.SendOkAsync(general, "quarterly numbers");
        var secret = await owner.Client.SendOkAsync(staff.Id, "quarterly numbers, staff only");
        Assert.Equal([secret.Id, open.Id], await member.SearchIdsAsync(serverId, "quarterly"));
        // Two CJK characters, found through the bigram index, obey the same rule.
        var tokyo = await owner.Client.SendOkAsync(staff.Id, "東京の数字");
        Assert.Equal([tokyo.Id], await member.SearchIdsAsync(serverId, "東京"));

        await PutOverwriteAsync(owner, staff.Id, "role", serverId, deny: P.ViewChannel);

        Assert.Equal([open.Id], await member.SearchIdsAsync(serverId, "quarterly"));
        Assert.Empty(await member.SearchIdsAsync(serverId, "quarterly in:staff"));
        Assert.Empty(await member.SearchIdsAsync(serverId, "東京"));
        Assert.Empty((await member.SearchServerAsync(serverId, ("q", "quarterly"), ("channelId", staff.Id.ToString()))).Hits);
        // The owner passes every overwrite.
        Assert.Equal([secret.Id, open.Id], await owner.SearchIdsAsync(serverId, "quarterly"));
    }

    [Fact]
    public async Task Seeing_a_channel_without_reading_its_history_finds_nothing_there()
    {
        var member = await app.UserAsync();
        var (serverId, general, owner) = await app.SeedServerWithChannelAsync(member);
        var announcements = await owner.CreateChannelAsync(serverId, "announcements");
        var old = await owner.Client.SendOkAsync(announcements.Id, "launch date moved");
        Assert.Equal([old.Id], await member.SearchIdsAsync(serverId, "launch"));

        // Only for this member: a member overwrite beats the role's allow.
        await PutOverwriteAsync(owner, announcements.Id, "member", member.Id, deny: P.ReadMessageHistory);
        Assert.Empty(await member.SearchIdsAsync(serverId, "launch"));

        // A role overwrite that allows it again does not beat the member's own deny; removing the deny does.
        var readers = await owner.CreateRoleAsync(serverId, "readers", P.None);
        await owner.AssignRoleAsync(serverId, member, readers.Id);
        await PutOverwriteAsync(owner, announcements.Id, "role", readers.Id, allow: P.ReadMessageHistory);
        Assert.Empty(await member.SearchIdsAsync(serverId, "launch"));
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{announcements.Id}/permissions/member/{member.Id}")).StatusCode);
        Assert.Equal([old.Id], await member.SearchIdsAsync(serverId, "launch"));
        _ = general;
    }

    [Fact]
    public async Task A_kicked_or_banned_member_gets_nothing_from_the_server()
    {
        var kicked = await app.UserAsync();
        var banned = await app.UserAsync();
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync(kicked, banned);
        await owner.Client.SendOkAsync(channelId, "roadmap for next year");
        Assert.Single(await kicked.SearchIdsAsync(serverId, "roadmap"));
        Assert.Single(await banned.SearchIdsAsync(serverId, "roadmap"));

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/servers/{serverId}/members/{kicked.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.PutAsJsonAsync($"/api/v1/servers/{serverId}/bans/{banned.Id}", new { reason = "spam" })).StatusCode);

        // Not a member any more: the server is not there for them, as for anyone outside it.
        foreach (var gone in new[] { kicked, banned, await app.UserAsync() })
            await (await gone.SearchServerRawAsync(serverId, SearchApi.Query(("q", "roadmap")))).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Dm_search_covers_my_dms_and_group_dms_and_nothing_after_I_leave()
    {
        var me = await app.UserAsync();
        var friend = await app.UserAsync();
        var third = await app.UserAsync();
        var dm = await OpenDmAsync(me, new { recipientId = friend.Id });
        var group = await OpenDmAsync(me, new { recipientIds = new[] { friend.Id, third.Id }, name = "trip" });
        var (serverId, channelId, _) = await app.SeedServerWithChannelAsync(me);
        var inDm = await friend.Client.SendOkAsync(dm.Id, "the hotel booking is done");
        var inGroup = await third.Client.SendOkAsync(group.Id, "which hotel did you pick?");
        var elsewhere = await friend.Client.SendOkAsync((await OpenDmAsync(friend, new { recipientId = third.Id })).Id, "hotel gossip");
        await me.Client.SendOkAsync(channelId, "hotel talk in a server");

        Assert.Equal([inGroup.Id, inDm.Id], await me.SearchDmIdsAsync("hotel"));
        Assert.Equal([inGroup.Id], await me.SearchDmIdsAsync("hotel in:trip"));
        Assert.Equal([inDm.Id], await me.SearchDmIdsAsync($"hotel from:{friend.Username}"));
        Assert.Equal([elsewhere.Id, inGroup.Id, inDm.Id], await friend.SearchDmIdsAsync("hotel"));

        Assert.Equal(HttpStatusCode.NoContent, (await me.Client.DeleteAsync($"/api/v1/channels/{group.Id}/recipients/{me.Id}")).StatusCode);
        Assert.Equal([inDm.Id], await me.SearchDmIdsAsync("hotel"));
        Assert.Empty((await me.SearchDmsAsync(("q", "hotel"), ("channelId", group.Id.ToString()))).Hits);
        Assert.Single(await me.SearchIdsAsync(serverId, "hotel"));
    }

    [Fact]
    public async Task Deleted_messages_and_deleted_channels_vanish_at_once()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var doomed = await owner.CreateChannelAsync(serverId, "doomed");
        var gone = await owner.Client.SendOkAsync(channelId, "ephemeral remark");
        var kept = await owner.Client.SendOkAsync(channelId, "ephemeral but kept");
        await owner.Client.SendOkAsync(doomed.Id, "ephemeral channel talk");
        Assert.Equal(3, (await owner.SearchIdsAsync(serverId, "ephemeral")).Count);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{channelId}/messages/{gone.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{doomed.Id}")).StatusCode);

        Assert.Equal([kept.Id], await owner.SearchIdsAsync(serverId, "ephemeral"));
        Assert.Empty(await owner.SearchIdsAsync(serverId, "remark"));
        Assert.Empty(await owner.SearchIdsAsync(serverId, "channel talk"));
        // The context around a hit does not show the deleted message either.
        var hit = Assert.Single((await owner.SearchServerAsync(serverId, ("q", "kept"))).Hits);
        Assert.Null(hit.Previous);
    }

    [Fact]
    public async Task An_edit_is_found_by_its_new_text_and_not_its_old()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var message = await owner.Client.SendOkAsync(channelId, "original wording");
        Assert.Equal([message.Id], await owner.SearchIdsAsync(serverId, "original"));

        var edit = await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}/messages/{message.Id}", new { content = "revised phrasing" });
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);

        Assert.Empty(await owner.SearchIdsAsync(serverId, "original"));
        Assert.Equal([message.Id], await owner.SearchIdsAsync(serverId, "revised"));
        var hit = Assert.Single((await owner.SearchServerAsync(serverId, ("q", "\"sed phr\""))).Hits);
        Assert.Equal("revised phrasing", hit.Message.Content);
        Assert.NotNull(hit.Message.EditedAt);
    }

    [Fact]
    public async Task Search_needs_a_signed_in_caller()
    {
        var (serverId, _, _) = await app.SeedServerWithChannelAsync();
        var anonymous = app.CreateClient();
        await (await anonymous.GetAsync($"/api/v1/servers/{serverId}/messages/search?q=hello")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await anonymous.GetAsync("/api/v1/users/@me/messages/search?q=hello")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    private static async Task PutOverwriteAsync(TestUser actor, Snowflake channelId, string targetType, Snowflake targetId, P allow = P.None, P deny = P.None)
    {
        var response = await actor.Client.PutAsJsonAsync($"/api/v1/channels/{channelId}/permissions/{targetType}/{targetId}",
            new { allow = allow.Text(), deny = deny.Text() });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<DmChannelResponse> OpenDmAsync(TestUser user, object body)
    {
        var response = await user.Client.PostAsJsonAsync("/api/v1/users/@me/channels", body);
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{(int)response.StatusCode} opening a DM");
        return (await response.Content.ReadFromJsonAsync<DmChannelResponse>(Api.Json))!;
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteSearchAccessTests(SqliteSearchApp app) : SearchAccessTests(app), IClassFixture<SqliteSearchApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresSearchAccessTests(PostgresSearchApp app) : SearchAccessTests(app), IClassFixture<PostgresSearchApp>;
