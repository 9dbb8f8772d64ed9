using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Gateway;
using KamaChat.Tests.Infrastructure;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Gateway;

/// <summary>
/// A role, overwrite or member-role change sends each connection whose channels or permissions in that server changed its
/// new view there ("ServerView"), and nobody else anything: no fresh Ready, no reconnect. Through the real hub; what the
/// view says is what REST then allows.
/// </summary>
public abstract class ServerViewTests(KamaChatApp app)
{
    private static readonly string View = ((long)P.ViewChannel).ToString(CultureInfo.InvariantCulture);

    private sealed record Setup(TestUser Owner, TestUser Staffer, TestUser Guest, Snowflake ServerId, Snowflake StaffRoleId, Snowflake StaffRoom);

    /// <summary>A server with a "staff-room" that only the Staff role may view; the staffer holds Staff, the guest does not.</summary>
    private async Task<Setup> ServerWithStaffRoomAsync()
    {
        var owner = await app.UserAsync();
        var staffer = await app.UserAsync();
        var guest = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await staffer.JoinAsync(owner, server.Id);
        await guest.JoinAsync(owner, server.Id);
        var staff = await owner.CreateRoleAsync(server.Id, "Staff", P.ViewChannel | P.SendMessages | P.ReadMessageHistory);
        await owner.AssignRoleAsync(server.Id, staffer, staff.Id);
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
        var room = (await response.ReadAsync<Server.Features.Channels.ChannelResponse>(HttpStatusCode.Created)).Id;
        (await owner.Client.PostAsJsonAsync($"/api/v1/channels/{room}/messages", new { content = "the plan" })).EnsureSuccessStatusCode();
        return new Setup(owner, staffer, guest, server.Id, staff.Id, room);
    }

    /// <summary>The view that arrives after the <paramref name="seen"/> this client had; exactly one.</summary>
    private static async Task<ServerViewChanged> ViewAfterAsync(GatewayClient client, Snowflake serverId, int seen)
    {
        await client.WaitForAsync(client.Views, _ => client.Views.Count > seen);
        return Assert.Single(client.Views.Skip(seen), v => v.ServerId == serverId);
    }

    private static async Task<HttpStatusCode> ReadAsync(TestUser user, Snowflake channelId) =>
        (await user.Client.GetAsync($"/api/v1/channels/{channelId}/messages?limit=5")).StatusCode;

    /// <summary>The last server-stream event, once this client has it: every view for it was sent before it.</summary>
    private async Task SettledAsync(GatewayClient client, Snowflake serverId)
    {
        var last = await app.QueryAsync(db => Task.FromResult(db.EventLog
            .Where(e => e.Scope == Server.Features.Events.EventScope.Server && e.ScopeId == serverId).Max(e => e.Sequence)));
        await client.WaitForEventsAsync(events => events.Any(e => e.Scope == "server" && e.ScopeId == serverId && e.Sequence >= last));
    }

    [Fact]
    public async Task A_member_role_change_reaches_only_that_member_with_the_channel_hidden_or_shown_and_readable_at_once()
    {
        var s = await ServerWithStaffRoomAsync();
        await using var guest = await GatewayClient.ConnectAsync(app, s.Guest.Tokens.AccessToken);
        await using var staffer = await GatewayClient.ConnectAsync(app, s.Staffer.Tokens.AccessToken);
        Assert.DoesNotContain((await guest.ReadyAsync()).Servers.Single(x => x.Id == s.ServerId).Channels, c => c.Id == s.StaffRoom);
        await staffer.ReadyAsync();

        // Given Staff: the guest's view now lists the room, and the room's history reads.
        await s.Owner.AssignRoleAsync(s.ServerId, s.Guest, s.StaffRoleId);
        var shown = await ViewAfterAsync(guest, s.ServerId, 0);
        var room = Assert.Single(shown.Channels, c => c.Id == s.StaffRoom);
        Assert.Equal("staff-room", room.Name);
        Assert.True((long.Parse(room.Permissions, CultureInfo.InvariantCulture) & (long)P.ViewChannel) != 0);
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(s.Guest, s.StaffRoom));

        // Taken away: the room is gone from the next view and unreadable.
        (await s.Owner.Client.DeleteAsync($"/api/v1/servers/{s.ServerId}/members/{s.Guest.Id}/roles/{s.StaffRoleId}")).EnsureSuccessStatusCode();
        var hidden = await ViewAfterAsync(guest, s.ServerId, 1);
        Assert.DoesNotContain(hidden.Channels, c => c.Id == s.StaffRoom);
        Assert.NotEqual(HttpStatusCode.OK, await ReadAsync(s.Guest, s.StaffRoom));

        // The staffer's own view never changed: nothing was sent to it.
        await SettledAsync(staffer, s.ServerId);
        Assert.Empty(staffer.Views);
    }

    [Fact]
    public async Task A_role_edit_sends_views_only_to_those_whose_view_changed()
    {
        var s = await ServerWithStaffRoomAsync();
        await using var guest = await GatewayClient.ConnectAsync(app, s.Guest.Tokens.AccessToken);
        await using var staffer = await GatewayClient.ConnectAsync(app, s.Staffer.Tokens.AccessToken);
        await guest.ReadyAsync();
        await staffer.ReadyAsync();

        // A new name changes nobody's channels or permissions: nothing is sent.
        var renamed = await s.Owner.Client.PatchAsJsonAsync($"/api/v1/servers/{s.ServerId}/roles/{s.StaffRoleId}", new { name = "Crew" });
        renamed.EnsureSuccessStatusCode();
        await SettledAsync(staffer, s.ServerId);
        await SettledAsync(guest, s.ServerId);
        Assert.Empty(staffer.Views);
        Assert.Empty(guest.Views);

        // The role now may manage messages: the staffer's permissions changed (not the guest's).
        var granted = await s.Owner.Client.PatchAsJsonAsync($"/api/v1/servers/{s.ServerId}/roles/{s.StaffRoleId}",
            new { permissions = ((long)(P.ViewChannel | P.SendMessages | P.ReadMessageHistory | P.ManageMessages)).ToString(CultureInfo.InvariantCulture) });
        granted.EnsureSuccessStatusCode();
        var view = await ViewAfterAsync(staffer, s.ServerId, 0);
        Assert.All(view.Channels, c => Assert.True((long.Parse(c.Permissions, CultureInfo.InvariantCulture) & (long)P.ManageMessages) != 0));
        await SettledAsync(guest, s.ServerId);
        Assert.Empty(guest.Views);

        // Deleted: the staffer loses the room at once.
        (await s.Owner.Client.DeleteAsync($"/api/v1/servers/{s.ServerId}/roles/{s.StaffRoleId}")).EnsureSuccessStatusCode();
        var after = await ViewAfterAsync(staffer, s.ServerId, 1);
        Assert.DoesNotContain(after.Channels, c => c.Id == s.StaffRoom);
        Assert.NotEqual(HttpStatusCode.OK, await ReadAsync(s.Staffer, s.StaffRoom));
        await SettledAsync(guest, s.ServerId);
        Assert.Empty(guest.Views);
    }

    [Fact]
    public async Task An_overwrite_change_reveals_and_hides_a_channel_to_its_target_alone()
    {
        var s = await ServerWithStaffRoomAsync();
        await using var guest = await GatewayClient.ConnectAsync(app, s.Guest.Tokens.AccessToken);
        await using var staffer = await GatewayClient.ConnectAsync(app, s.Staffer.Tokens.AccessToken);
        await guest.ReadyAsync();
        await staffer.ReadyAsync();

        Assert.Equal(HttpStatusCode.OK, (await s.Owner.Client.PutAsJsonAsync($"/api/v1/channels/{s.StaffRoom}/permissions/member/{s.Guest.Id}",
            new { allow = View, deny = "0" })).StatusCode);
        var shown = await ViewAfterAsync(guest, s.ServerId, 0);
        Assert.Contains(shown.Channels, c => c.Id == s.StaffRoom);
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(s.Guest, s.StaffRoom));

        Assert.Equal(HttpStatusCode.NoContent, (await s.Owner.Client.DeleteAsync($"/api/v1/channels/{s.StaffRoom}/permissions/member/{s.Guest.Id}")).StatusCode);
        var hidden = await ViewAfterAsync(guest, s.ServerId, 1);
        Assert.DoesNotContain(hidden.Channels, c => c.Id == s.StaffRoom);
        Assert.NotEqual(HttpStatusCode.OK, await ReadAsync(s.Guest, s.StaffRoom));

        // The staffer saw the room throughout, with the same permissions: no view.
        await SettledAsync(staffer, s.ServerId);
        Assert.Empty(staffer.Views);
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteServerViewTests(SqliteApp app) : ServerViewTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresServerViewTests(PostgresApp app) : ServerViewTests(app), IClassFixture<PostgresApp>;
