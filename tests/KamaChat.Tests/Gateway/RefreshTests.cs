using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Gateway;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Gateway;

/// <summary>
/// Refresh hands a connection a fresh Ready after its roles or permissions changed, on the same connection: no reconnect,
/// so a call, a voice session and presence carry on. Through the real hub.
/// </summary>
public abstract class RefreshTests(KamaChatApp app)
{
    private static readonly string View = ((long)P.ViewChannel).ToString(CultureInfo.InvariantCulture);

    private static ReadyChannel? Channel(ReadyPayload ready, Snowflake serverId, Snowflake channelId) =>
        ready.Servers.Single(s => s.Id == serverId).Channels.SingleOrDefault(c => c.Id == channelId);

    [Fact]
    public async Task A_role_granted_and_revoked_shows_in_a_refresh_on_the_same_connection()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);
        var staff = await owner.CreateRoleAsync(server.Id, "Staff", P.ViewChannel | P.SendMessages);
        var response = await owner.Client.PostAsJsonAsync($"/api/v1/servers/{server.Id}/channels", new
        {
            name = "staff-room",
            type = "text",
            permissionOverwrites = new object[]
            {
                new { targetType = "role", targetId = server.Id, allow = "0", deny = View },
                new { targetType = "role", targetId = staff.Id, allow = View, deny = "0" },
            },
        });
        var staffRoom = (await response.ReadAsync<Server.Features.Channels.ChannelResponse>(HttpStatusCode.Created)).Id;

        await using var gateway = await GatewayClient.ConnectAsync(app, member.Tokens.AccessToken);
        Assert.Null(Channel(await gateway.ReadyAsync(), server.Id, staffRoom));
        var connectionId = gateway.Connection.ConnectionId;

        await owner.AssignRoleAsync(server.Id, member, staff.Id);
        var granted = Channel(await gateway.Connection.InvokeAsync<ReadyPayload>("Refresh"), server.Id, staffRoom);
        Assert.NotNull(granted);
        Assert.True(((P)long.Parse(granted.Permissions, CultureInfo.InvariantCulture)).HasFlag(P.SendMessages));

        Assert.Equal(HttpStatusCode.NoContent,
            (await owner.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/{member.Id}/roles/{staff.Id}")).StatusCode);
        Assert.Null(Channel(await gateway.Connection.InvokeAsync<ReadyPayload>("Refresh"), server.Id, staffRoom));

        // The same connection throughout, still open and still served.
        Assert.Equal(HubConnectionState.Connected, gateway.Connection.State);
        Assert.Equal(connectionId, gateway.Connection.ConnectionId);
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteRefreshTests(SqliteApp app) : RefreshTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresRefreshTests(PostgresApp app) : RefreshTests(app), IClassFixture<PostgresApp>;
