using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Gateway;
using KamaChat.Server.Features.Servers;
using KamaChat.Tests.Infrastructure;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Servers;

public abstract class TemporaryMembershipTests(KamaChatApp app)
{
    private static string Token(TestUser user) => user.Client.DefaultRequestHeaders.Authorization!.Parameter!;

    [Fact]
    public async Task A_temporary_member_leaves_when_they_go_offline_unless_given_a_role()
    {
        var owner = await app.UserAsync();
        var guest = await app.UserAsync();
        var promoted = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        var invite = await (await owner.Client.PostAsJsonAsync($"/api/v1/servers/{server.Id}/invites", new { maxUses = 0, maxAgeSeconds = 0, temporary = true }))
            .ReadAsync<InviteResponse>(HttpStatusCode.Created);
        foreach (var user in new[] { guest, promoted })
            await (await user.Client.PostAsync($"/api/v1/invites/{invite.Code}/join", null)).ReadAsync<ServerResponse>();
        var role = await owner.CreateRoleAsync(server.Id, "Regular", P.None);
        await owner.AssignRoleAsync(server.Id, promoted, role.Id);

        var guestClient = await GatewayClient.ConnectAsync(app, Token(guest));
        var promotedClient = await GatewayClient.ConnectAsync(app, Token(promoted));
        await guestClient.ReadyAsync();
        await promotedClient.ReadyAsync();
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/members/{guest.Id}")).StatusCode);

        await guestClient.DisposeAsync();
        await promotedClient.DisposeAsync();

        var deadline = DateTime.UtcNow + PresenceTracker.OfflineGrace + TimeSpan.FromSeconds(15);
        while ((await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/members/{guest.Id}")).StatusCode != HttpStatusCode.NotFound)
        {
            Assert.True(DateTime.UtcNow < deadline, "the temporary member was not removed after going offline");
            await Task.Delay(250);
        }
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/members/{promoted.Id}")).StatusCode);
        Assert.Contains("MemberLeft", await app.EventTypesAsync(Server.Features.Events.EventScope.Server, server.Id));
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteTemporaryMembershipTests(SqliteApp app) : TemporaryMembershipTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresTemporaryMembershipTests(PostgresApp app) : TemporaryMembershipTests(app), IClassFixture<PostgresApp>;
