using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using KamaChat.Tests.Infrastructure;
using KamaChat.Tests.Servers;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Channels;

/// <summary>Channel overwrites follow the role hierarchy as role assignment does: nobody silences or empowers those at or above them.</summary>
public abstract class OverwriteHierarchyTests(KamaChatApp app)
{
    private static string Bits(P permissions) => ((long)permissions).ToString(CultureInfo.InvariantCulture);

    /// <summary>Role "high" above role "mod" (Manage Roles); a member with each, and one with neither.</summary>
    private async Task<(TestUser Owner, TestUser Moderator, TestUser High, TestUser Plain, Snowflake ServerId, Snowflake ChannelId, Snowflake HighRole, Snowflake ModRole)> SetUpAsync()
    {
        var owner = await app.UserAsync();
        var moderator = await app.UserAsync();
        var high = await app.UserAsync();
        var plain = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        foreach (var user in new[] { moderator, high, plain })
            await user.JoinAsync(owner, server.Id);
        // Each new role starts at the bottom: created first, "high" ends up above "mod".
        var highRole = await owner.CreateRoleAsync(server.Id, "high", P.None);
        var modRole = await owner.CreateRoleAsync(server.Id, "mod", P.ManageRoles);
        await owner.AssignRoleAsync(server.Id, high, highRole.Id);
        await owner.AssignRoleAsync(server.Id, moderator, modRole.Id);
        var channel = await owner.CreateChannelAsync(server.Id, "talk");
        return (owner, moderator, high, plain, server.Id, channel.Id, highRole.Id, modRole.Id);
    }

    private static Task<HttpResponseMessage> PutAsync(TestUser actor, Snowflake channelId, string target, P allow, P deny) =>
        actor.Client.PutAsJsonAsync($"/api/v1/channels/{channelId}/permissions/{target}", new { allow = Bits(allow), deny = Bits(deny) });

    [Fact]
    public async Task A_moderator_cannot_overwrite_a_member_or_role_above_them()
    {
        var (_, moderator, high, _, _, channelId, highRole, _) = await SetUpAsync();
        var before = await app.SnapshotAsync();

        await (await PutAsync(moderator, channelId, $"member/{high.Id}", P.None, P.SendMessages))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
        await (await PutAsync(moderator, channelId, $"role/{highRole}", P.None, P.SendMessages))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");

        Assert.Equal(before, await app.SnapshotAsync());
        Assert.Equal(HttpStatusCode.Created, (await high.Client.SendMessageAsync(channelId, "still here")).StatusCode);
    }

    [Fact]
    public async Task A_moderator_cannot_remove_an_overwrite_of_a_role_above_them_nor_one_of_their_own()
    {
        var (owner, moderator, _, _, _, channelId, highRole, modRole) = await SetUpAsync();
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(owner, channelId, $"role/{highRole}", P.None, P.SendMessages)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(owner, channelId, $"role/{modRole}", P.None, P.AddReactions)).StatusCode);

        await (await moderator.Client.DeleteAsync($"/api/v1/channels/{channelId}/permissions/role/{highRole}"))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
        await (await moderator.Client.DeleteAsync($"/api/v1/channels/{channelId}/permissions/role/{modRole}"))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
    }

    [Fact]
    public async Task A_moderator_manages_those_below_them_but_grants_nothing_they_lack()
    {
        var (_, moderator, _, plain, serverId, channelId, _, _) = await SetUpAsync();

        Assert.Equal(HttpStatusCode.OK, (await PutAsync(moderator, channelId, $"member/{plain.Id}", P.None, P.SendMessages)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(moderator, channelId, $"role/{serverId}", P.None, P.AddReactions)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await plain.Client.SendMessageAsync(channelId, "muted")).StatusCode);

        var granting = await PutAsync(moderator, channelId, $"member/{plain.Id}", P.ManageChannels, P.None);
        var problem = await granting.AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        Assert.Equal("ManageChannels", problem.GetProperty("permission").GetString());
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteOverwriteHierarchyTests(SqliteApp app) : OverwriteHierarchyTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresOverwriteHierarchyTests(PostgresApp app) : OverwriteHierarchyTests(app), IClassFixture<PostgresApp>;
