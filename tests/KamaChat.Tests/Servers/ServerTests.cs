using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Servers;
using KamaChat.Tests.Audit;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Servers;

public abstract class ServerTests(KamaChatApp app)
{
    [Fact]
    public async Task Creating_a_server_makes_the_creator_its_owner_with_an_everyone_role_and_a_general_channel()
    {
        var owner = await app.UserAsync();

        var server = await owner.CreateServerAsync("  Book club  ");

        Assert.Equal("Book club", server.Name);
        Assert.Equal(owner.Id, server.OwnerId);
        Assert.Equal(1, server.MemberCount);
        var roles = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/roles")).ReadAsync<List<RoleResponse>>();
        var everyone = Assert.Single(roles);
        Assert.Equal(("@everyone", server.Id, ((long)P.DefaultEveryone).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (everyone.Name, everyone.Id, everyone.Permissions));
        var channel = Assert.Single(await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/channels")).ReadAsync<List<ChannelResponse>>());
        Assert.Equal(("general", "text", (Snowflake?)server.Id), (channel.Name, channel.Type, channel.ServerId));
        var members = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/members")).ReadAsync<List<MemberResponse>>();
        Assert.Equal(owner.Id, Assert.Single(members).UserId);
        Assert.Contains("ServerJoined", await app.EventTypesAsync(EventScope.User, owner.Id));
        var mine = await (await owner.Client.GetAsync("/api/v1/users/@me/servers")).ReadAsync<List<ServerResponse>>();
        Assert.Equal(server.Id, Assert.Single(mine).Id);
    }

    [Fact]
    public async Task A_non_member_can_see_nothing_of_a_server_and_change_nothing()
    {
        var owner = await app.UserAsync();
        var stranger = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        var before = await app.SnapshotAsync();

        foreach (var url in new[] { "", "/channels", "/members", $"/members/{owner.Id}", "/roles", "/bans", "/invites" })
            await (await stranger.Client.GetAsync($"/api/v1/servers/{server.Id}{url}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}", new { name = "Mine now" }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.Client.SendJsonAsync(HttpMethod.Delete, $"/api/v1/servers/{server.Id}", new { confirmName = server.Name }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.Client.PostAsJsonAsync($"/api/v1/servers/{server.Id}/transfer", new { newOwnerId = stranger.Id }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.Client.PostAsJsonAsync($"/api/v1/servers/{server.Id}/invites", new { maxUses = 0, maxAgeSeconds = 0, temporary = false }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.Client.PostAsJsonAsync($"/api/v1/servers/{server.Id}/channels", new { name = "x", type = "text", slowModeSeconds = 0 }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/{owner.Id}"))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/@me"))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.Client.PutAsJsonAsync($"/api/v1/servers/{server.Id}/bans/{owner.Id}", new { reason = "x" }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Empty(await (await stranger.Client.GetAsync("/api/v1/users/@me/servers")).ReadAsync<List<ServerResponse>>());
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task Unknown_servers_answer_404()
    {
        var user = await app.UserAsync();
        await (await user.Client.GetAsync("/api/v1/servers/123456789")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await user.Client.PatchAsJsonAsync("/api/v1/servers/123456789", new { name = "x" })).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Editing_needs_manage_server_and_logs_server_updated()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);
        var before = await app.SnapshotAsync();

        var refused = await member.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}", new { name = "Taken over" });
        await refused.AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        Assert.Equal(before, await app.SnapshotAsync());

        var updated = await (await owner.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}",
            new { name = " Renamed ", description = "About us", iconUrl = "https://example.test/icon.png" })).ReadAsync<ServerResponse>();
        Assert.Equal(("Renamed", "About us", "https://example.test/icon.png", 2), (updated.Name, updated.Description, updated.IconUrl, updated.MemberCount));
        Assert.Equal("ServerUpdated", (await app.EventTypesAsync(EventScope.Server, server.Id))[^1]);
    }

    [Theory]
    [InlineData("{\"name\":\"\"}", "name")]
    [InlineData("{\"name\":\"   \"}", "name")]
    [InlineData("{\"description\":\"DESC\"}", "description")]
    [InlineData("{\"iconUrl\":\"javascript:alert(1)\"}", "iconUrl")]
    public async Task Bad_server_edits_are_refused_and_write_nothing(string body, string field)
    {
        var owner = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        body = body.Replace("DESC", new string('d', 1025), StringComparison.Ordinal);
        var before = await app.SnapshotAsync();

        var response = await owner.Client.PatchAsync($"/api/v1/servers/{server.Id}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotEmpty(problem.FieldErrors(field));
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task Creating_with_a_name_over_100_characters_is_refused()
    {
        var owner = await app.UserAsync();
        var before = await app.SnapshotAsync();
        await (await owner.Client.PostAsJsonAsync("/api/v1/servers", new { name = new string('x', 101) }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task Only_the_owner_deletes_a_server_after_confirming_its_name_and_everything_in_it_goes()
    {
        var owner = await app.UserAsync();
        var admin = await app.UserAsync();
        var server = await owner.CreateServerAsync("Doomed");
        var serverId = server.Id;
        await admin.JoinAsync(owner, server.Id);
        var role = await owner.CreateRoleAsync(server.Id, "admin", P.Administrator);
        await owner.AssignRoleAsync(server.Id, admin, role.Id);
        var channel = await owner.CreateChannelAsync(server.Id, "talk");
        await app.QueryAsync(async db =>
        {
            db.Messages.Add(new Message { Id = new Snowflake(1), ChannelId = channel.Id, AuthorId = owner.Id, Content = "hi" });
            return await db.SaveChangesAsync();
        });
        var before = await app.SnapshotAsync();

        await (await admin.Client.SendJsonAsync(HttpMethod.Delete, $"/api/v1/servers/{server.Id}", new { confirmName = "Doomed" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "owner_only");
        await (await owner.Client.SendJsonAsync(HttpMethod.Delete, $"/api/v1/servers/{server.Id}", new { confirmName = "doomed" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(before, await app.SnapshotAsync());

        var deleted = await owner.Client.SendJsonAsync(HttpMethod.Delete, $"/api/v1/servers/{server.Id}", new { confirmName = "Doomed" });
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        var left = await app.QueryAsync(async db => new[]
        {
            await db.Servers.CountAsync(s => s.Id == serverId), await db.Members.CountAsync(m => m.ServerId == serverId),
            await db.Roles.CountAsync(r => r.ServerId == serverId), await db.MemberRoles.CountAsync(r => r.ServerId == serverId),
            await db.Channels.CountAsync(c => c.ServerId == serverId), await db.Invites.CountAsync(i => i.ServerId == serverId),
            await db.Messages.CountAsync(),
        });
        Assert.All(left, count => Assert.Equal(0, count));
        Assert.Equal("ServerDeleted", (await app.EventTypesAsync(EventScope.Server, serverId))[^1]);
        Assert.Equal("ServerRemoved", (await app.EventTypesAsync(EventScope.User, admin.Id))[^1]);
        await (await admin.Client.GetAsync($"/api/v1/servers/{server.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Ownership_moves_only_to_a_member_and_only_by_the_owner()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var stranger = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);
        var before = await app.SnapshotAsync();

        await (await member.Client.PostAsJsonAsync($"/api/v1/servers/{server.Id}/transfer", new { newOwnerId = member.Id }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "owner_only");
        await (await owner.Client.PostAsJsonAsync($"/api/v1/servers/{server.Id}/transfer", new { newOwnerId = stranger.Id, password = Api.GoodPassword }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        // The password is asked every time: a session alone cannot give a server away.
        await (await owner.Client.PostAsJsonAsync($"/api/v1/servers/{server.Id}/transfer", new { newOwnerId = member.Id }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await owner.Client.PostAsJsonAsync($"/api/v1/servers/{server.Id}/transfer", new { newOwnerId = member.Id, password = "wrong password" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "invalid_password");
        await (await owner.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/@me"))
            .AssertProblemAsync(HttpStatusCode.Conflict, "owner_cannot_leave");
        Assert.Equal(before, await app.SnapshotAsync());

        var moved = await (await owner.Client.PostAsJsonAsync($"/api/v1/servers/{server.Id}/transfer",
            new { newOwnerId = member.Id, password = Api.GoodPassword })).ReadAsync<ServerResponse>();
        Assert.Equal(member.Id, moved.OwnerId);
        Assert.Equal("ServerUpdated", (await app.EventTypesAsync(EventScope.Server, server.Id))[^1]);
        // The audit log (readable by the new owner) says who handed it to whom.
        var entry = (await member.AuditLogAsync(server.Id, "action=server_transfer")).Entries.Single();
        Assert.Equal((owner.Id, (Snowflake?)member.Id), (entry.ActorId, entry.TargetId));
        Assert.Contains(entry.Changes, c => c.Key == "ownerId" && c.Old == owner.Id.ToString() && c.New == member.Id.ToString());
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/@me")).StatusCode);
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteServerTests(SqliteApp app) : ServerTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresServerTests(PostgresApp app) : ServerTests(app), IClassFixture<PostgresApp>;
