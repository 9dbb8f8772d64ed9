using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.DirectMessages;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Permissions;

/// <summary>
/// The declared permissions (RequireServerPermission / RequireChannelPermission) and the hub, which asks the same
/// PermissionService: not seeing a place is 404, lacking a permission is 403 naming it, whatever the endpoint.
/// </summary>
public abstract class PermissionFilterTests(KamaChatApp app)
{
    [Fact]
    public async Task A_refusal_names_the_missing_permission_on_server_and_channel_endpoints()
    {
        var member = await app.UserAsync();
        var owner = await app.UserAsync();
        var serverId = await app.SeedServerAsync(owner, P.DefaultEveryone & ~P.SendMessages);
        var channelId = await app.SeedTextChannelAsync(serverId);
        await app.SeedMemberAsync(serverId, member);

        var role = await (await member.Client.PostAsJsonAsync($"/api/v1/servers/{serverId}/roles", new { name = "mine", color = 0, mentionable = false }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        Assert.Equal("ManageRoles", role.GetProperty("permission").GetString());
        var send = await (await member.Client.SendMessageAsync(channelId, "hello")).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        Assert.Equal("SendMessages", send.GetProperty("permission").GetString());
    }

    [Fact]
    public async Task Someone_who_cannot_see_the_server_gets_404_before_the_handler_looks_at_the_request()
    {
        var stranger = await app.UserAsync();
        var (serverId, channelId, _) = await app.SeedServerWithChannelAsync();
        var before = await app.SnapshotAsync();

        // Each of these is refused by the handler (unknown permission bits, position 0, limit 0) for a member.
        await (await stranger.Client.PostAsJsonAsync($"/api/v1/servers/{serverId}/roles", new { name = "x", permissions = "4611686018427387904", color = 0, mentionable = false }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.Client.PatchAsJsonAsync($"/api/v1/servers/{serverId}/roles/positions", new[] { new { id = "1", position = 0 } }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.Client.GetAsync($"/api/v1/channels/{channelId}/messages?limit=0")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task A_dm_is_not_a_server_channel_and_a_category_holds_no_messages()
    {
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();
        var dm = await (await alice.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = bob.Id })).ReadAsync<DmChannelResponse>(HttpStatusCode.Created);
        await (await alice.Client.PatchAsJsonAsync($"/api/v1/channels/{dm.Id}", new { name = "renamed" })).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await alice.Client.SendJsonAsync(HttpMethod.Put, $"/api/v1/channels/{dm.Id}/permissions/member/{bob.Id}", new { allow = "0", deny = "0" }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(dm.Id, (await (await alice.Client.GetAsync($"/api/v1/channels/{dm.Id}")).ReadAsync<ChannelResponse>()).Id);

        var server = await alice.CreateServerAsync();
        var category = await alice.CreateChannelAsync(server.Id, "Text channels", "category");
        await (await alice.Client.GetAsync($"/api/v1/channels/{category.Id}/messages")).AssertProblemAsync(HttpStatusCode.BadRequest, "not_text_channel");
        await (await alice.Client.SendMessageAsync(category.Id, "here?")).AssertProblemAsync(HttpStatusCode.BadRequest, "not_text_channel");
    }

    [Fact]
    public async Task The_gateway_refuses_with_the_same_decision()
    {
        var muted = await app.UserAsync();
        var stranger = await app.UserAsync();
        var owner = await app.UserAsync();
        var serverId = await app.SeedServerAsync(owner, P.DefaultEveryone & ~P.SendMessages);
        var channelId = await app.SeedTextChannelAsync(serverId);
        await app.SeedMemberAsync(serverId, muted);

        await using var mutedClient = await GatewayClient.ConnectAsync(app, muted.Tokens.AccessToken);
        await mutedClient.ReadyAsync();
        var lacking = await Assert.ThrowsAsync<HubException>(() => mutedClient.Connection.InvokeAsync("StartTyping", channelId.ToString()));
        Assert.Contains("missing_permission: You need the SendMessages permission", lacking.Message, StringComparison.Ordinal);

        await using var strangerClient = await GatewayClient.ConnectAsync(app, stranger.Tokens.AccessToken);
        await strangerClient.ReadyAsync();
        var hidden = await Assert.ThrowsAsync<HubException>(() => strangerClient.Connection.InvokeAsync("StartTyping", channelId.ToString()));
        Assert.Contains("not_found:", hidden.Message, StringComparison.Ordinal);
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqlitePermissionFilterTests(SqliteApp app) : PermissionFilterTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresPermissionFilterTests(PostgresApp app) : PermissionFilterTests(app), IClassFixture<PostgresApp>;
