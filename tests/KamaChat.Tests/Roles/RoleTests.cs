using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Audit;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Servers;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Roles;

public abstract class RoleTests(KamaChatApp app)
{

    private static string Bits(P permissions) => ((long)permissions).ToString(CultureInfo.InvariantCulture);

    /// <summary>An owner, a moderator (role "mods" with Manage Roles and Kick, above role "helpers") and a plain member.</summary>
    private async Task<(TestUser Owner, TestUser Moderator, TestUser Member, ServerResponse Server, RoleResponse Mods, RoleResponse Helpers)> SetUpAsync()
    {
        var owner = await app.UserAsync();
        var moderator = await app.UserAsync();
        var member = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await moderator.JoinAsync(owner, server.Id);
        await member.JoinAsync(owner, server.Id);
        var mods = await owner.CreateRoleAsync(server.Id, "mods", P.ManageRoles | P.Kick | P.ManageNicknames);
        var helpers = await owner.CreateRoleAsync(server.Id, "helpers", P.None);
        await owner.AssignRoleAsync(server.Id, moderator, mods.Id);
        var roles = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/roles")).ReadAsync<List<RoleResponse>>();
        return (owner, moderator, member, server, roles.Single(r => r.Id == mods.Id), roles.Single(r => r.Id == helpers.Id));
    }

    [Fact]
    public async Task New_roles_go_to_the_bottom_with_permissions_as_decimal_strings()
    {
        var (owner, _, _, server, mods, helpers) = await SetUpAsync();

        Assert.Equal((2, 1), (mods.Position, helpers.Position));
        Assert.Equal(Bits(P.ManageRoles | P.Kick | P.ManageNicknames), mods.Permissions);
        var events = await app.EventTypesAsync(EventScope.Server, server.Id);
        Assert.Contains("RoleCreated", events);
        Assert.Equal("MemberUpdated", events[^1]);

        var edited = await (await owner.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/roles/{helpers.Id}",
            new { name = "Helpers", color = 0x00FF00, mentionable = true })).ReadAsync<RoleResponse>();
        Assert.Equal(("Helpers", 0x00FF00, true), (edited.Name, edited.Color, edited.Mentionable));
        Assert.Equal("RoleUpdated", (await app.EventTypesAsync(EventScope.Server, server.Id))[^1]);
    }

    [Fact]
    public async Task Hoisting_a_role_is_saved_announced_and_audited_with_before_and_after()
    {
        var (owner, _, _, server, _, helpers) = await SetUpAsync();
        Assert.False(helpers.Hoist);

        var hoisted = await (await owner.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/roles/{helpers.Id}", new { hoist = true, color = 0x3366FF }))
            .ReadAsync<RoleResponse>();
        Assert.Equal((true, 0x3366FF, "helpers"), (hoisted.Hoist, hoisted.Color, hoisted.Name));
        var created = await (await owner.Client.PostAsJsonAsync($"/api/v1/servers/{server.Id}/roles", new { name = "shown", permissions = "0", color = 0, mentionable = false, hoist = true }))
            .ReadAsync<RoleResponse>(HttpStatusCode.Created);
        Assert.True(created.Hoist);

        var audit = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/audit-log?action=role_update")).ReadAsync<AuditLogResponse>();
        var entry = audit.Entries.First(e => e.TargetId == helpers.Id);
        Assert.Contains(entry.Changes, c => c.Key == "hoist" && c.Old == "false" && c.New == "true");
        var roles = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/roles")).ReadAsync<List<RoleResponse>>();
        Assert.True(roles.Single(r => r.Id == helpers.Id).Hoist);
    }

    [Fact]
    public async Task A_member_without_manage_roles_cannot_touch_roles()
    {
        var (_, _, member, server, _, helpers) = await SetUpAsync();
        var before = await app.SnapshotAsync();

        await (await member.Client.PostAsJsonAsync($"/api/v1/servers/{server.Id}/roles", new { name = "x", permissions = "0", color = 0, mentionable = false }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await (await member.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/roles/{helpers.Id}", new { name = "x" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await (await member.Client.DeleteAsync($"/api/v1/servers/{server.Id}/roles/{helpers.Id}"))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await (await member.Client.PutAsync($"/api/v1/servers/{server.Id}/members/{member.Id}/roles/{helpers.Id}", null))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await (await member.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/roles/positions", new[] { new { id = helpers.Id, position = 1 } }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task The_hierarchy_stops_a_moderator_from_reaching_at_or_above_their_own_role()
    {
        var (owner, moderator, member, server, mods, helpers) = await SetUpAsync();
        var peer = await app.UserAsync();
        await peer.JoinAsync(owner, server.Id);
        await owner.AssignRoleAsync(server.Id, peer, mods.Id);
        var before = await app.SnapshotAsync();

        await (await moderator.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/roles/{mods.Id}", new { name = "gods" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
        await (await moderator.Client.DeleteAsync($"/api/v1/servers/{server.Id}/roles/{mods.Id}"))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
        await (await moderator.Client.PutAsync($"/api/v1/servers/{server.Id}/members/{member.Id}/roles/{mods.Id}", null))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
        await (await moderator.Client.PutAsync($"/api/v1/servers/{server.Id}/members/{peer.Id}/roles/{helpers.Id}", null))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
        await (await moderator.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/members/{peer.Id}", new { nickname = "demoted" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
        await (await moderator.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/roles/positions", new[] { new { id = helpers.Id, position = 2 } }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
        // Nor may they hand out what they do not have.
        await (await moderator.Client.PostAsJsonAsync($"/api/v1/servers/{server.Id}/roles", new { name = "bans", permissions = Bits(P.Ban), color = 0, mentionable = false }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await (await moderator.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/roles/{helpers.Id}", new { permissions = Bits(P.Administrator) }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        Assert.Equal(before, await app.SnapshotAsync());

        // Below them, they may.
        await moderator.AssignRoleAsync(server.Id, member, helpers.Id);
        var updated = await (await moderator.Client.GetAsync($"/api/v1/servers/{server.Id}/members/{member.Id}")).ReadAsync<MemberResponse>();
        Assert.Equal([helpers.Id], updated.Roles);
        Assert.Equal("MemberUpdated", (await app.EventTypesAsync(EventScope.Server, server.Id))[^1]);
        Assert.Equal(HttpStatusCode.NoContent,
            (await moderator.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/{member.Id}/roles/{helpers.Id}")).StatusCode);
        var created = await moderator.CreateRoleAsync(server.Id, "kickers", P.Kick);
        Assert.Equal(1, created.Position);
    }

    [Fact]
    public async Task Deleting_a_role_takes_it_from_members_and_channel_overwrites_but_everyone_stays()
    {
        var (owner, moderator, _, server, mods, _) = await SetUpAsync();
        var channel = await owner.CreateChannelAsync(server.Id, "mods-only");
        await owner.Client.PutAsJsonAsync($"/api/v1/channels/{channel.Id}/permissions/role/{mods.Id}", new { allow = Bits(P.ViewChannel), deny = "0" });

        await (await owner.Client.DeleteAsync($"/api/v1/servers/{server.Id}/roles/{server.Id}"))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await owner.Client.DeleteAsync($"/api/v1/servers/{server.Id}/roles/424242")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/servers/{server.Id}/roles/{mods.Id}")).StatusCode);

        var member = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/members/{moderator.Id}")).ReadAsync<MemberResponse>();
        Assert.Empty(member.Roles);
        Assert.Equal(0, await app.QueryAsync(db => db.PermissionOverwrites.CountAsync()));
        Assert.Equal("RoleDeleted", (await app.EventTypesAsync(EventScope.Server, server.Id))[^1]);
    }

    [Theory]
    [InlineData("{\"name\":\"x\",\"permissions\":\"abc\",\"color\":0,\"mentionable\":false}", "permissions")]
    [InlineData("{\"name\":\"x\",\"permissions\":\"1125899906842624\",\"color\":0,\"mentionable\":false}", "permissions")]
    [InlineData("{\"name\":\"LONG\",\"permissions\":\"0\",\"color\":0,\"mentionable\":false}", "name")]
    [InlineData("{\"name\":\"x\",\"permissions\":\"0\",\"color\":16777216,\"mentionable\":false}", "color")]
    [InlineData("{\"name\":\"x\",\"permissions\":\"0\",\"color\":-1,\"mentionable\":false}", "color")]
    public async Task Bad_role_input_is_refused_and_writes_nothing(string body, string field)
    {
        var owner = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        body = body.Replace("LONG", new string('r', 101), StringComparison.Ordinal);
        var before = await app.SnapshotAsync();

        var response = await owner.Client.PostAsync($"/api/v1/servers/{server.Id}/roles", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotEmpty(problem.FieldErrors(field));
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task Reordering_roles_renumbers_them_in_the_requested_order()
    {
        var (owner, _, _, server, mods, helpers) = await SetUpAsync();

        var roles = await (await owner.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/roles/positions",
            new[] { new { id = helpers.Id, position = 2 }, new { id = mods.Id, position = 1 } })).ReadAsync<List<RoleResponse>>();

        Assert.Equal([server.Id, mods.Id, helpers.Id], roles.Select(r => r.Id));
        Assert.Equal([0, 1, 2], roles.Select(r => r.Position));
        await (await owner.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/roles/positions", new[] { new { id = server.Id, position = 3 } }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await owner.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/roles/positions", new[] { new { id = mods.Id, position = 0 } }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task A_role_with_administrator_passes_every_permission_check()
    {
        var (owner, _, member, server, _, _) = await SetUpAsync();
        var admins = await owner.CreateRoleAsync(server.Id, "admins", P.Administrator);
        await owner.AssignRoleAsync(server.Id, member, admins.Id);

        await (await member.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}", new { description = "run by admins" })).ReadAsync<ServerResponse>();
        await member.CreateChannelAsync(server.Id, "admin-made");
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteRoleTests(SqliteApp app) : RoleTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresRoleTests(PostgresApp app) : RoleTests(app), IClassFixture<PostgresApp>;
