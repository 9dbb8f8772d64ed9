using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Notifications;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Notifications;

public abstract class NotificationRuleTests(KamaChatApp app)
{
    private const string Rules = "/api/v1/users/@me/notification-settings";

    [Fact]
    public async Task Levels_and_mutes_are_stored_checked_and_reach_the_users_other_devices_at_once()
    {
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();
        var server = await alice.CreateServerAsync("Rules club");
        await bob.JoinAsync(alice, server.Id);
        var general = (await (await alice.Client.GetAsync($"/api/v1/servers/{server.Id}/channels")).ReadAsync<List<ChannelResponse>>()).Single().Id;
        await using var otherDevice = await GatewayClient.ConnectAsync(app, bob.Tokens.AccessToken);
        await otherDevice.ReadyAsync();

        var serverAll = await (await bob.Client.PutAsJsonAsync($"{Rules}/servers/{server.Id}", new { level = "all", muted = false }))
            .ReadAsync<NotificationSettingsResponse>();
        Assert.Equal([new NotificationRuleResponse(server.Id, "all", false, null)], serverAll.Servers);
        var live = GatewayClient.Data(await otherDevice.WaitForEventAsync("NotificationSettingsUpdated"));
        Assert.Equal("all", live.GetProperty("servers")[0].GetProperty("level").GetString());

        var before = DateTimeOffset.UtcNow;
        var muted = await (await bob.Client.PutAsJsonAsync($"{Rules}/channels/{general}", new { level = "nothing", muted = true, muteMinutes = 60 }))
            .ReadAsync<NotificationSettingsResponse>();
        var channel = Assert.Single(muted.Channels);
        Assert.Equal((general, "nothing", true), (channel.Id, channel.Level, channel.Muted));
        Assert.InRange(channel.MutedUntil!.Value, before.AddMinutes(60), DateTimeOffset.UtcNow.AddMinutes(60));
        Assert.Equivalent(muted, await (await bob.Client.GetAsync(Rules)).ReadAsync<NotificationSettingsResponse>());
        await otherDevice.WaitForEventsAsync(events => events.Count(e => e.Type == "NotificationSettingsUpdated") == 2);

        var forever = await (await bob.Client.PutAsJsonAsync($"{Rules}/channels/{general}", new { level = (string?)null, muted = true }))
            .ReadAsync<NotificationSettingsResponse>();
        Assert.Equal([new NotificationRuleResponse(general, null, true, null)], forever.Channels);
        var cleared = await (await bob.Client.PutAsJsonAsync($"{Rules}/channels/{general}", new { level = (string?)null, muted = false }))
            .ReadAsync<NotificationSettingsResponse>();
        Assert.Empty(cleared.Channels);
        Assert.Single(cleared.Servers);

        await (await bob.Client.PutAsJsonAsync($"{Rules}/channels/{general}", new { level = "sometimes", muted = false }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await bob.Client.PutAsJsonAsync($"{Rules}/channels/{general}", new { muted = true, muteMinutes = 0 }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        // A server or channel Bob cannot see answers 404, as if it did not exist.
        var hidden = await alice.CreateServerAsync("Not Bob's");
        var hiddenChannel = (await (await alice.Client.GetAsync($"/api/v1/servers/{hidden.Id}/channels")).ReadAsync<List<ChannelResponse>>()).Single().Id;
        await (await bob.Client.PutAsJsonAsync($"{Rules}/servers/{hidden.Id}", new { level = "all", muted = false }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await bob.Client.PutAsJsonAsync($"{Rules}/channels/{hiddenChannel}", new { level = "all", muted = false }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.DoesNotContain(otherDevice.Events, e => e.Type == "NotificationSettingsUpdated" && e.Data.Contains(hidden.Id.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void A_channel_overrides_its_server_and_a_mute_that_ran_out_silences_nothing()
    {
        var now = DateTimeOffset.UtcNow;
        ServerNotificationRule Server(NotificationLevel? level, bool muted = false, DateTimeOffset? until = null) =>
            new() { Level = level, Muted = muted, MutedUntil = until };
        ChannelNotificationRule Channel(NotificationLevel? level, bool muted = false, DateTimeOffset? until = null) =>
            new() { Level = level, Muted = muted, MutedUntil = until };

        Assert.True(NotificationPolicy.Notifies(direct: true, mentioned: false, null, null, now));
        Assert.False(NotificationPolicy.Notifies(direct: false, mentioned: false, null, null, now));
        Assert.True(NotificationPolicy.Notifies(direct: false, mentioned: true, null, null, now));
        Assert.True(NotificationPolicy.Notifies(false, false, Server(NotificationLevel.All), null, now));
        Assert.False(NotificationPolicy.Notifies(false, true, Server(NotificationLevel.All), Channel(NotificationLevel.Nothing), now));
        Assert.True(NotificationPolicy.Notifies(false, false, Server(NotificationLevel.Nothing), Channel(NotificationLevel.All), now));
        Assert.False(NotificationPolicy.Notifies(false, true, Server(null, muted: true), null, now));
        Assert.False(NotificationPolicy.Notifies(true, true, null, Channel(null, muted: true, until: now.AddMinutes(1)), now));
        Assert.True(NotificationPolicy.Notifies(true, true, null, Channel(null, muted: true, until: now.AddMinutes(-1)), now));
        Assert.True(NotificationPolicy.Silenced(Server(NotificationLevel.Nothing), null, now));
        Assert.False(NotificationPolicy.Silenced(Server(NotificationLevel.Nothing), Channel(NotificationLevel.Mentions), now));
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteNotificationRuleTests(SqliteApp app) : NotificationRuleTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresNotificationRuleTests(PostgresApp app) : NotificationRuleTests(app), IClassFixture<PostgresApp>;
