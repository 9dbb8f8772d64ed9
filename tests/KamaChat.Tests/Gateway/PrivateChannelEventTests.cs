using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Gateway;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Gateway;

/// <summary>
/// A private channel's name and topic travel on the server's stream, which every member receives: through the real hub,
/// only members who may view the channel get them; the others get ChannelDeleted in their place, live and in Resume.
/// </summary>
public abstract class PrivateChannelEventTests(KamaChatApp app)
{
    private static readonly string View = ((long)P.ViewChannel).ToString(CultureInfo.InvariantCulture);

    private sealed record Setup(TestUser Owner, TestUser Insider, TestUser Outsider, Snowflake ServerId, Snowflake StaffRoleId);

    private async Task<Setup> ServerWithStaffAsync()
    {
        var owner = await app.UserAsync();
        var insider = await app.UserAsync();
        var outsider = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await insider.JoinAsync(owner, server.Id);
        await outsider.JoinAsync(owner, server.Id);
        var staff = await owner.CreateRoleAsync(server.Id, "Staff", P.ViewChannel | P.SendMessages);
        await owner.AssignRoleAsync(server.Id, insider, staff.Id);
        return new Setup(owner, insider, outsider, server.Id, staff.Id);
    }

    private static async Task<Snowflake> CreatePrivateAsync(Setup s, string name, string topic)
    {
        var response = await s.Owner.Client.PostAsJsonAsync($"/api/v1/servers/{s.ServerId}/channels", new
        {
            name,
            type = "text",
            topic,
            slowModeSeconds = 0,
            permissionOverwrites = new object[]
            {
                new { targetType = "role", targetId = s.ServerId, allow = "0", deny = View },
                new { targetType = "role", targetId = s.StaffRoleId, allow = View, deny = "0" },
            },
        });
        return (await response.ReadAsync<Server.Features.Channels.ChannelResponse>(HttpStatusCode.Created)).Id;
    }

    private Task<long> LastSequenceAsync(Snowflake serverId) =>
        app.QueryAsync(db => Task.FromResult(db.EventLog.Where(e => e.Scope == EventScope.Server && e.ScopeId == serverId).Max(e => e.Sequence)));

    /// <summary>The server-stream event with this sequence, once it arrived.</summary>
    private static async Task<GatewayEvent> AtAsync(GatewayClient client, Snowflake serverId, long sequence) =>
        (await client.WaitForEventsAsync(events => events.Any(e => e.Scope == "server" && e.ScopeId == serverId && e.Sequence == sequence)))
        .First(e => e.Scope == "server" && e.ScopeId == serverId && e.Sequence == sequence);

    private static void AssertHidden(GatewayEvent e, Snowflake channelId, Snowflake serverId)
    {
        Assert.Equal("ChannelDeleted", e.Type);
        var data = GatewayClient.Data(e);
        Assert.Equal(channelId.ToString(), data.GetProperty("id").GetString());
        Assert.Equal(serverId.ToString(), data.GetProperty("serverId").GetString());
        Assert.Equal(2, data.EnumerateObject().Count());
    }

    [Fact]
    public async Task A_private_channel_reaches_only_those_who_may_view_it_and_follows_grants_and_revocations()
    {
        var s = await ServerWithStaffAsync();
        await using var insider = await GatewayClient.ConnectAsync(app, s.Insider.Tokens.AccessToken);
        await using var outsider = await GatewayClient.ConnectAsync(app, s.Outsider.Tokens.AccessToken);
        await insider.ReadyAsync();
        await outsider.ReadyAsync();

        var channelId = await CreatePrivateAsync(s, "war-room", "the launch plan");
        var created = await LastSequenceAsync(s.ServerId);
        var full = await AtAsync(insider, s.ServerId, created);
        Assert.Equal("ChannelCreated", full.Type);
        Assert.Equal("war-room", GatewayClient.Data(full).GetProperty("name").GetString());
        AssertHidden(await AtAsync(outsider, s.ServerId, created), channelId, s.ServerId);

        Assert.Equal(HttpStatusCode.OK, (await s.Owner.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}", new { topic = "moved to friday" })).StatusCode);
        var topicChanged = await LastSequenceAsync(s.ServerId);
        Assert.Equal("moved to friday", GatewayClient.Data(await AtAsync(insider, s.ServerId, topicChanged)).GetProperty("topic").GetString());
        AssertHidden(await AtAsync(outsider, s.ServerId, topicChanged), channelId, s.ServerId);

        // Granted: the outsider's client is handed the channel whole, to add it.
        Assert.Equal(HttpStatusCode.OK, (await s.Owner.Client.PutAsJsonAsync($"/api/v1/channels/{channelId}/permissions/member/{s.Outsider.Id}",
            new { allow = View, deny = "0" })).StatusCode);
        var granted = await AtAsync(outsider, s.ServerId, await LastSequenceAsync(s.ServerId));
        Assert.Equal("ChannelUpdated", granted.Type);
        Assert.Equal("moved to friday", GatewayClient.Data(granted).GetProperty("topic").GetString());

        // Revoked: the removal is what arrives, and what follows stays hidden.
        Assert.Equal(HttpStatusCode.NoContent, (await s.Owner.Client.DeleteAsync($"/api/v1/channels/{channelId}/permissions/member/{s.Outsider.Id}")).StatusCode);
        AssertHidden(await AtAsync(outsider, s.ServerId, await LastSequenceAsync(s.ServerId)), channelId, s.ServerId);
        Assert.Equal(HttpStatusCode.OK, (await s.Owner.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}", new { name = "war-room-2" })).StatusCode);
        var renamed = await LastSequenceAsync(s.ServerId);
        Assert.Equal("war-room-2", GatewayClient.Data(await AtAsync(insider, s.ServerId, renamed)).GetProperty("name").GetString());
        AssertHidden(await AtAsync(outsider, s.ServerId, renamed), channelId, s.ServerId);

        // The outsider's server stream has no gap (no resume is needed to learn nothing), and only the granted event named it.
        var stream = outsider.Events.Where(e => e.Scope == "server" && e.ScopeId == s.ServerId).Select(e => e.Sequence).Order().ToList();
        Assert.Equal(Enumerable.Range((int)stream[0], stream.Count).Select(i => (long)i), stream);
        Assert.Single(outsider.Events, e => e.Data.Contains("war-room", StringComparison.Ordinal));
        Assert.DoesNotContain(outsider.Events, e => e.Data.Contains("launch plan", StringComparison.Ordinal) || e.Data.Contains("war-room-2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Resume_replays_a_private_channel_only_to_those_who_may_view_it_now()
    {
        var s = await ServerWithStaffAsync();
        var cursors = new Dictionary<Snowflake, long>();
        foreach (var user in new[] { s.Insider, s.Outsider })
        {
            await using var client = await GatewayClient.ConnectAsync(app, user.Tokens.AccessToken);
            cursors[user.Id] = (await client.ReadyAsync()).Cursors.Servers![s.ServerId.ToString()];
        }

        var channelId = await CreatePrivateAsync(s, "war-room", "the launch plan");
        Assert.Equal(HttpStatusCode.OK, (await s.Owner.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}", new { topic = "moved to friday" })).StatusCode);

        async Task<IReadOnlyList<GatewayEvent>> ResumeAsync(TestUser user)
        {
            await using var client = await GatewayClient.ConnectAsync(app, user.Tokens.AccessToken);
            await client.ReadyAsync();
            var result = await client.Connection.InvokeAsync<ResumeResult>("Resume",
                new StreamCursors(null, new() { [s.ServerId.ToString()] = cursors[user.Id] }, null));
            Assert.Empty(result.Refetch);
            return result.Events;
        }

        var insiderReplay = await ResumeAsync(s.Insider);
        Assert.Equal(["ChannelCreated", "ChannelUpdated"], insiderReplay.Select(e => e.Type));
        Assert.Equal("moved to friday", GatewayClient.Data(insiderReplay[1]).GetProperty("topic").GetString());

        var outsiderReplay = await ResumeAsync(s.Outsider);
        Assert.Equal(insiderReplay.Select(e => e.Sequence), outsiderReplay.Select(e => e.Sequence));
        foreach (var e in outsiderReplay)
            AssertHidden(e, channelId, s.ServerId);

        // Granted since: the same replay now brings the channel as it is.
        Assert.Equal(HttpStatusCode.OK, (await s.Owner.Client.PutAsJsonAsync($"/api/v1/channels/{channelId}/permissions/member/{s.Outsider.Id}",
            new { allow = View, deny = "0" })).StatusCode);
        var afterGrant = await ResumeAsync(s.Outsider);
        Assert.Equal(["ChannelCreated", "ChannelUpdated", "ChannelUpdated"], afterGrant.Select(e => e.Type));
        Assert.Equal("war-room", GatewayClient.Data(afterGrant[0]).GetProperty("name").GetString());
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqlitePrivateChannelEventTests(SqliteApp app) : PrivateChannelEventTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresPrivateChannelEventTests(PostgresApp app) : PrivateChannelEventTests(app), IClassFixture<PostgresApp>;
