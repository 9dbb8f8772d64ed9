using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.DirectMessages;
using KamaChat.Tests.Infrastructure;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Gateway;

/// <summary>
/// Ready's mention counts start at the user's join: a new member of a server with a history, someone who rejoins, or a
/// group DM recipient added back is not shown the pings sent before. Through the API and the hub, on both databases.
/// </summary>
public abstract class JoinMentionCountTests(KamaChatApp app)
{
    [Fact]
    public async Task A_new_member_counts_no_mention_sent_before_they_joined_and_each_one_after()
    {
        var (owner, member) = (await app.UserAsync(), await app.UserAsync());
        var server = await owner.CreateServerAsync();
        var news = (await owner.CreateChannelAsync(server.Id, "news")).Id;
        var quiet = (await owner.CreateChannelAsync(server.Id, "quiet")).Id;
        var crew = (await owner.CreateRoleAsync(server.Id, "crew", P.None)).Id;
        await owner.Client.SendOkAsync(news, "@everyone before they joined");
        await owner.Client.SendOkAsync(news, $"<@&{crew}> a role they get later, before they joined");
        await owner.Client.SendOkAsync(quiet, $"@everyone <@&{crew}> before they joined");

        await member.JoinAsync(owner, server.Id);
        await owner.AssignRoleAsync(server.Id, member, crew);
        await owner.Client.SendOkAsync(news, $"<@{member.Id}> <@&{crew}> @everyone after, counted once");
        await owner.Client.SendOkAsync(news, "@everyone after again");

        var mentions = await MentionCountsAsync(app, member);
        Assert.Equal(2, mentions.GetValueOrDefault(news));
        Assert.Equal(0, mentions.GetValueOrDefault(quiet));
    }

    [Fact]
    public async Task A_rejoining_member_counts_no_mention_from_their_first_membership_or_while_away()
    {
        var (owner, member) = (await app.UserAsync(), await app.UserAsync());
        var server = await owner.CreateServerAsync();
        var news = (await owner.CreateChannelAsync(server.Id, "news")).Id;
        var read = (await owner.CreateChannelAsync(server.Id, "read")).Id;
        await member.JoinAsync(owner, server.Id);
        var seen = await owner.Client.SendOkAsync(read, "read before leaving");
        Assert.Equal(HttpStatusCode.OK, (await member.Client.PostAsync($"/api/v1/channels/{read}/messages/{seen.Id}/ack", null)).StatusCode);
        await owner.Client.SendOkAsync(news, $"<@{member.Id}> in the first membership, never opened");
        await owner.Client.SendOkAsync(read, $"<@{member.Id}> in the first membership, after the read position");
        Assert.Equal(HttpStatusCode.NoContent, (await member.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/@me")).StatusCode);
        await owner.Client.SendOkAsync(news, "@everyone while they were away");
        await owner.Client.SendOkAsync(read, "@everyone while they were away");

        await member.JoinAsync(owner, server.Id);
        Assert.Empty(await MentionCountsAsync(app, member));
        await owner.Client.SendOkAsync(news, $"<@{member.Id}> welcome back");
        await owner.Client.SendOkAsync(read, "@everyone welcome back");

        var mentions = await MentionCountsAsync(app, member);
        Assert.Equal(1, mentions.GetValueOrDefault(news));
        Assert.Equal(1, mentions.GetValueOrDefault(read));
    }

    [Fact]
    public async Task A_recipient_added_back_to_a_group_DM_counts_no_mention_from_before()
    {
        var (owner, other, added) = (await app.UserAsync(), await app.UserAsync(), await app.UserAsync());
        var group = (await (await owner.Client.PostAsJsonAsync("/api/v1/users/@me/group-channels", new { recipientIds = new[] { other.Id, added.Id } }))
            .ReadAsync<DmChannelResponse>(HttpStatusCode.Created)).Id;
        await owner.Client.SendOkAsync(group, $"<@{added.Id}> before they left, never opened");
        Assert.Equal(HttpStatusCode.NoContent, (await added.Client.DeleteAsync($"/api/v1/channels/{group}/recipients/{added.Id}")).StatusCode);
        await owner.Client.SendOkAsync(group, $"<@{added.Id}> while away (not a recipient: no mention)");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.PutAsync($"/api/v1/channels/{group}/recipients/{added.Id}", null)).StatusCode);
        Assert.Empty(await MentionCountsAsync(app, added));

        await owner.Client.SendOkAsync(group, $"<@{added.Id}> after they were added");
        await other.Client.SendOkAsync(group, $"<@{added.Id}> <@{owner.Id}> and another");

        Assert.Equal(new Dictionary<Snowflake, int> { [group] = 2 }, await MentionCountsAsync(app, added));
    }

    [Fact]
    public async Task A_recipient_added_back_to_a_group_DM_they_had_read_moves_their_connected_devices_read_position_up_to_the_join()
    {
        var (owner, other, added) = (await app.UserAsync(), await app.UserAsync(), await app.UserAsync());
        var group = (await (await owner.Client.PostAsJsonAsync("/api/v1/users/@me/group-channels", new { recipientIds = new[] { other.Id, added.Id } }))
            .ReadAsync<DmChannelResponse>(HttpStatusCode.Created)).Id;
        var seen = await owner.Client.SendOkAsync(group, "read before they left");
        Assert.Equal(HttpStatusCode.OK, (await added.Client.PostAsync($"/api/v1/channels/{group}/messages/{seen.Id}/ack", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await added.Client.DeleteAsync($"/api/v1/channels/{group}/recipients/{added.Id}")).StatusCode);
        var away = await owner.Client.SendOkAsync(group, "while they were away");
        await using var device = await GatewayClient.ConnectAsync(app, added.Tokens.AccessToken);
        await device.ReadyAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.PutAsync($"/api/v1/channels/{group}/recipients/{added.Id}", null)).StatusCode);

        var moved = GatewayClient.Data(await device.WaitForEventAsync("ReadStateUpdated"));
        Assert.Equal(group.ToString(), moved.GetProperty("channelId").GetString());
        Assert.True(Snowflake.Parse(moved.GetProperty("lastReadMessageId").GetString()!) > away.Id, "the read position is after what was sent while away");
        Assert.Equal(0, moved.GetProperty("mentionCount").GetInt32());
    }

    /// <summary>The mention counts of a fresh connect's Ready, per channel, leaving out the channels with none.</summary>
    internal static async Task<Dictionary<Snowflake, int>> MentionCountsAsync(KamaChatApp app, TestUser user)
    {
        await using var gateway = await GatewayClient.ConnectAsync(app, user.Tokens.AccessToken);
        return (await gateway.ReadyAsync()).ReadStates.Where(s => s.MentionCount != 0).ToDictionary(s => s.ChannelId, s => s.MentionCount);
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteJoinMentionCountTests(SqliteApp app) : JoinMentionCountTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresJoinMentionCountTests(PostgresApp app) : JoinMentionCountTests(app), IClassFixture<PostgresApp>;
