using System.Net;
using KamaChat.Server.Features.ReadStates;
using KamaChat.Tests.Infrastructure;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Gateway;

/// <summary>
/// A role's mentions count for a member from when they were given the role: someone made a moderator today is not
/// shown every @Moderators ping since they joined, pings that were never addressed to them. In Ready and in an ack's
/// answer, through the API and the hub, on both databases.
/// </summary>
public abstract class RoleGrantMentionCountTests(KamaChatApp app)
{
    [Fact]
    public async Task A_role_given_after_two_of_its_pings_counts_only_the_ping_after_it_in_opened_and_never_opened_channels()
    {
        var (owner, member) = (await app.UserAsync(), await app.UserAsync());
        var server = await owner.CreateServerAsync();
        var opened = (await owner.CreateChannelAsync(server.Id, "opened")).Id;
        var quiet = (await owner.CreateChannelAsync(server.Id, "quiet")).Id;
        var mods = (await owner.CreateRoleAsync(server.Id, "mods", P.None)).Id;
        await member.JoinAsync(owner, server.Id);
        var seen = await owner.Client.SendOkAsync(opened, "read before the pings");
        Assert.Equal(0, (await AckAsync(member, opened, seen.Id)).MentionCount);
        foreach (var channel in new[] { opened, quiet })
        {
            await owner.Client.SendOkAsync(channel, $"<@&{mods}> before they were a moderator");
            await owner.Client.SendOkAsync(channel, $"<@&{mods}> again before");
        }

        await owner.AssignRoleAsync(server.Id, member, mods);
        await owner.Client.SendOkAsync(opened, $"<@&{mods}> now they are one");
        await owner.Client.SendOkAsync(quiet, $"<@&{mods}> now they are one");

        Assert.Equal(new Dictionary<Snowflake, int> { [opened] = 1, [quiet] = 1 }, await JoinMentionCountTests.MentionCountsAsync(app, member));
        Assert.Equal(1, (await AckAsync(member, opened, seen.Id)).MentionCount);
    }

    [Fact]
    public async Task A_role_removed_and_given_again_counts_its_pings_only_from_the_new_grant()
    {
        var (owner, member) = (await app.UserAsync(), await app.UserAsync());
        var server = await owner.CreateServerAsync();
        var news = (await owner.CreateChannelAsync(server.Id, "news")).Id;
        var crew = (await owner.CreateRoleAsync(server.Id, "crew", P.None)).Id;
        await member.JoinAsync(owner, server.Id);
        await owner.AssignRoleAsync(server.Id, member, crew);
        await owner.Client.SendOkAsync(news, $"<@&{crew}> in the first grant");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/{member.Id}/roles/{crew}")).StatusCode);
        await owner.Client.SendOkAsync(news, $"<@&{crew}> while they did not have it");

        await owner.AssignRoleAsync(server.Id, member, crew);
        await owner.Client.SendOkAsync(news, $"<@&{crew}> in the new grant");

        Assert.Equal(new Dictionary<Snowflake, int> { [news] = 1 }, await JoinMentionCountTests.MentionCountsAsync(app, member));
    }

    private static async Task<ReadStateResponse> AckAsync(TestUser user, Snowflake channelId, Snowflake messageId) =>
        await (await user.Client.PostAsync($"/api/v1/channels/{channelId}/messages/{messageId}/ack", null)).ReadAsync<ReadStateResponse>();
}

[Trait("Provider", "sqlite")]
public sealed class SqliteRoleGrantMentionCountTests(SqliteApp app) : RoleGrantMentionCountTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresRoleGrantMentionCountTests(PostgresApp app) : RoleGrantMentionCountTests(app), IClassFixture<PostgresApp>;
