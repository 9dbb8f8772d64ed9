using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Servers;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Servers;

public abstract class MemberTests(KamaChatApp app)
{

    [Fact]
    public async Task The_member_list_pages_by_user_id()
    {
        var owner = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        var others = new List<TestUser>();
        for (var i = 0; i < 3; i++)
        {
            var user = await app.UserAsync();
            await user.JoinAsync(owner, server.Id);
            others.Add(user);
        }
        var all = others.Append(owner).Select(u => u.Id).Order().ToList();

        var first = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/members?limit=2")).ReadAsync<List<MemberResponse>>();
        var rest = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/members?limit=2&after={first[^1].UserId}")).ReadAsync<List<MemberResponse>>();

        Assert.Equal(all, first.Concat(rest).Select(m => m.UserId));
        var one = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/members/{others[0].Id}")).ReadAsync<MemberResponse>();
        Assert.Equal(others[0].Id, one.UserId);
        await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/members/42")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=101")]
    [InlineData("limit=-5")]
    public async Task A_limit_outside_1_to_100_is_refused(string query)
    {
        var owner = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/members?{query}")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Leaving_ends_access_and_logs_member_left_and_server_removed()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);

        Assert.Equal(HttpStatusCode.NoContent, (await member.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/@me")).StatusCode);

        await (await member.Client.GetAsync($"/api/v1/servers/{server.Id}/channels")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal("MemberLeft", (await app.EventTypesAsync(EventScope.Server, server.Id))[^1]);
        Assert.Equal("ServerRemoved", (await app.EventTypesAsync(EventScope.User, member.Id))[^1]);
    }

    [Fact]
    public async Task Kicking_needs_the_kick_permission_and_a_lower_target_and_takes_access_away_at_once()
    {
        var owner = await app.UserAsync();
        var moderator = await app.UserAsync();
        var peer = await app.UserAsync();
        var member = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        foreach (var user in new[] { moderator, peer, member })
            await user.JoinAsync(owner, server.Id);
        var mods = await owner.CreateRoleAsync(server.Id, "mods", P.Kick);
        await owner.AssignRoleAsync(server.Id, moderator, mods.Id);
        await owner.AssignRoleAsync(server.Id, peer, mods.Id);
        var before = await app.SnapshotAsync();

        await (await member.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/{peer.Id}"))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await (await moderator.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/{peer.Id}"))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
        await (await moderator.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/{owner.Id}"))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
        await (await owner.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/{owner.Id}"))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
        await (await moderator.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/424242"))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(before, await app.SnapshotAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await moderator.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/{member.Id}")).StatusCode);

        var left = await app.QueryAsync(db => db.EventLog.Where(e => e.Scope == EventScope.Server && e.ScopeId == server.Id)
            .OrderByDescending(e => e.Sequence).Select(e => e.Payload).FirstAsync());
        Assert.Contains("\"reason\":\"kicked\"", left, StringComparison.Ordinal);
        Assert.Contains($"\"userId\":\"{member.Id}\"", left, StringComparison.Ordinal);
        await (await member.Client.GetAsync($"/api/v1/servers/{server.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await member.Client.GetAsync($"/api/v1/servers/{server.Id}/channels")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal("MemberLeft", (await app.EventTypesAsync(EventScope.Server, server.Id))[^1]);
        Assert.Equal("ServerRemoved", (await app.EventTypesAsync(EventScope.User, member.Id))[^1]);
    }

    [Fact]
    public async Task Nicknames_need_change_nickname_for_oneself_and_manage_nicknames_plus_hierarchy_for_others()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var other = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);
        await other.JoinAsync(owner, server.Id);

        var mine = await (await member.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/members/@me", new { nickname = "Bee" })).ReadAsync<MemberResponse>();
        Assert.Equal("Bee", mine.Nickname);
        Assert.Equal("MemberUpdated", (await app.EventTypesAsync(EventScope.Server, server.Id))[^1]);
        var before = await app.SnapshotAsync();

        await (await member.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/members/{other.Id}", new { nickname = "Silly" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await (await member.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/members/@me", new { nickname = new string('n', 33) }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(before, await app.SnapshotAsync());

        var renamed = await (await owner.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/members/{other.Id}", new { nickname = "Cee" })).ReadAsync<MemberResponse>();
        Assert.Equal("Cee", renamed.Nickname);
    }

    [Fact]
    public async Task A_ban_removes_the_member_and_keeps_them_out_until_lifted()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var bystander = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);
        await bystander.JoinAsync(owner, server.Id);
        var before = await app.SnapshotAsync();

        await (await bystander.Client.PutAsJsonAsync($"/api/v1/servers/{server.Id}/bans/{member.Id}", new { reason = "no" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await (await bystander.Client.GetAsync($"/api/v1/servers/{server.Id}/bans")).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await (await owner.Client.PutAsJsonAsync($"/api/v1/servers/{server.Id}/bans/{owner.Id}", new { reason = "x" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
        await (await owner.Client.PutAsJsonAsync($"/api/v1/servers/{server.Id}/bans/{member.Id}", new { reason = new string('r', 513) }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(before, await app.SnapshotAsync());

        Assert.Equal(HttpStatusCode.NoContent,
            (await owner.Client.PutAsJsonAsync($"/api/v1/servers/{server.Id}/bans/{member.Id}", new { reason = "spam" })).StatusCode);

        var bans = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/bans")).ReadAsync<List<BanResponse>>();
        Assert.Equal((member.Id, "spam"), (Assert.Single(bans).UserId, bans[0].Reason));
        await (await member.Client.GetAsync($"/api/v1/servers/{server.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var invite = await owner.InviteAsync(server.Id);
        await (await member.Client.PostAsync($"/api/v1/invites/{invite.Code}/join", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "banned");
        Assert.Contains("MemberLeft", await app.EventTypesAsync(EventScope.Server, server.Id));
        Assert.Equal("ServerRemoved", (await app.EventTypesAsync(EventScope.User, member.Id))[^1]);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/servers/{server.Id}/bans/{member.Id}")).StatusCode);
        await (await owner.Client.DeleteAsync($"/api/v1/servers/{server.Id}/bans/{member.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await member.Client.PostAsync($"/api/v1/invites/{invite.Code}/join", null)).ReadAsync<ServerResponse>();
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteMemberTests(SqliteApp app) : MemberTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresMemberTests(PostgresApp app) : MemberTests(app), IClassFixture<PostgresApp>;
