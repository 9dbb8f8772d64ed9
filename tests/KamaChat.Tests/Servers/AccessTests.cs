using System.Net;
using System.Net.Http.Json;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Servers;

/// <summary>Every server-side endpoint, tried by someone outside the server (404) and by a plain member (403), changes nothing.</summary>
public abstract class AccessTests(KamaChatApp app)
{
    [Fact]
    public async Task Outsiders_get_404_and_plain_members_get_403_from_every_management_endpoint_and_nothing_changes()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var banned = await app.UserAsync();
        var stranger = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);
        var role = await owner.CreateRoleAsync(server.Id, "role", KamaChat.Server.Features.Permissions.Permissions.None);
        await owner.AssignRoleAsync(server.Id, member, role.Id);
        var channel = await owner.CreateChannelAsync(server.Id, "room");
        await owner.Client.PutAsJsonAsync($"/api/v1/channels/{channel.Id}/permissions/role/{role.Id}", new { allow = "64", deny = "0" });
        await owner.Client.PutAsJsonAsync($"/api/v1/servers/{server.Id}/bans/{banned.Id}", new { reason = "x" });
        var s = $"/api/v1/servers/{server.Id}";
        var requests = new (HttpMethod Method, string Url, object? Body)[]
        {
            (HttpMethod.Patch, $"{s}/members/{owner.Id}", new { nickname = "x" }),
            (HttpMethod.Delete, $"{s}/bans/{banned.Id}", null),
            (HttpMethod.Patch, $"{s}/channels/positions", new[] { new { id = channel.Id, position = 9 } }),
            (HttpMethod.Post, $"{s}/roles", new { name = "x", permissions = "0", color = 0, mentionable = false }),
            (HttpMethod.Patch, $"{s}/roles/{role.Id}", new { name = "x" }),
            (HttpMethod.Patch, $"{s}/roles/positions", new[] { new { id = role.Id, position = 1 } }),
            (HttpMethod.Delete, $"{s}/roles/{role.Id}", null),
            (HttpMethod.Put, $"{s}/members/{owner.Id}/roles/{role.Id}", null),
            (HttpMethod.Delete, $"{s}/members/{member.Id}/roles/{role.Id}", null),
            (HttpMethod.Put, $"/api/v1/channels/{channel.Id}/permissions/role/{role.Id}", new { allow = "0", deny = "0" }),
            (HttpMethod.Delete, $"/api/v1/channels/{channel.Id}/permissions/role/{role.Id}", null),
            (HttpMethod.Delete, $"/api/v1/channels/{channel.Id}", null),
            (HttpMethod.Patch, s, new { name = "x" }),
        };
        var before = await app.SnapshotAsync();

        foreach (var (method, url, body) in requests)
        {
            await (await stranger.Client.SendJsonAsync(method, url, body)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
            await (await member.Client.SendJsonAsync(method, url, body)).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        }
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task Signed_out_callers_are_refused_everywhere()
    {
        var client = app.CreateClient();
        foreach (var url in new[] { "/api/v1/servers/1", "/api/v1/users/@me/servers", "/api/v1/invites/abcdefghij", "/api/v1/channels/1" })
            await (await client.GetAsync(url)).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteAccessTests(SqliteApp app) : AccessTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresAccessTests(PostgresApp app) : AccessTests(app), IClassFixture<PostgresApp>;
