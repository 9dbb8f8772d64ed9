using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Gateway;
using KamaChat.Server.Features.Notifications;
using KamaChat.Server.Features.Notifications.Push;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Notifications;

/// <summary>A server that may post to http:// push endpoints (the loopback push service) and runs one job at a time, in order.</summary>
public abstract class PushApp : KamaChatApp
{
    protected override Task<IReadOnlyDictionary<string, string?>> SettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>
        {
            ["KAMACHAT_PUSH_ALLOW_HTTP"] = "true",
            // Jobs run in the order they were queued: a push that arrives proves every earlier message's job is done.
            ["KAMACHAT_JOB_CONCURRENCY"] = "1",
        });
}

public sealed class PushSqliteApp : PushApp
{
    public override string ProviderName => "sqlite";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
}

public sealed class PushPostgresApp : PushApp
{
    public override string ProviderName => "postgres";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => PostgresServer.CreateDatabaseAsync();
}

public abstract class PushTests(PushApp app)
{
    private sealed record Setting(TestUser Alice, TestUser Bob, Snowflake ServerId, Snowflake General, Snowflake Dm);

    private async Task<Setting> SettingAsync()
    {
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();
        var server = await alice.CreateServerAsync("Push club");
        await bob.JoinAsync(alice, server.Id);
        var channels = await (await alice.Client.GetAsync($"/api/v1/servers/{server.Id}/channels")).ReadAsync<List<ChannelResponse>>();
        var dm = await (await alice.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = bob.Id })).ReadAsync<JsonElement>(HttpStatusCode.Created);
        return new Setting(alice, bob, server.Id, channels.Single().Id, Snowflake.Parse(dm.GetProperty("id").GetString()!, null));
    }

    private static async Task<string> SubscribeAsync(TestUser user, WebPushBrowser browser, LoopbackPushService service, string path)
    {
        var endpoint = service.Endpoint(path);
        var response = await user.Client.PostAsJsonAsync("/api/v1/users/@me/push-subscriptions", browser.SubscriptionJson(endpoint));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        return "/" + path;
    }

    private static PushPayload Read(WebPushBrowser browser, ReceivedPush push) =>
        JsonSerializer.Deserialize<PushPayload>(browser.Decrypt(push.Body), Api.Json)!;

    [Fact]
    public void The_test_browser_decrypts_the_rfc_8291_appendix_a_message()
    {
        using var browser = WebPushBrowser.FromPrivateKey("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94", "BTBZMqHH6r4Tts7J_aSIgg");
        Assert.Equal("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4", Base64Url.EncodeToString(browser.PublicKey));
        var body = Base64Url.DecodeFromChars(
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN");
        Assert.Equal("When I grow up, I want to be a watermelon", browser.Decrypt(body));
        body[^1] ^= 1; // one flipped bit fails the authentication tag
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => browser.Decrypt(body));
    }

    [Fact]
    public async Task A_dm_to_someone_away_is_pushed_encrypted_for_their_browser_and_signed_with_the_stored_vapid_key()
    {
        var s = await SettingAsync();
        await using var service = await LoopbackPushService.StartAsync();
        using var browser = new WebPushBrowser();
        var path = await SubscribeAsync(s.Bob, browser, service, $"ok/{Guid.NewGuid():N}");

        var sent = await s.Alice.Client.SendOkAsync(s.Dm, $"lunch at noon?   ask <@{s.Bob.Id}>");
        var push = await service.NextAsync(path);

        var payload = Read(browser, push);
        Assert.Equal(s.Alice.Username, payload.Title);
        Assert.Equal($"lunch at noon? ask @{s.Bob.Username}", payload.Body);
        Assert.Equal($"/channels/@me/{s.Dm}/{sent.Id}", payload.Path);
        Assert.Equal($"channel:{s.Dm}", payload.Tag);
        Assert.Equal("aes128gcm", push.Headers["Content-Encoding"]);
        Assert.Equal("86400", push.Headers["TTL"]);
        Assert.Equal(s.Dm.ToString(), push.Headers["Topic"]);

        // VAPID: signed with the key the server publishes, kept in the data directory for the owner only.
        var key = await (await app.CreateClient().GetAsync("/api/v1/push/vapid-public-key")).ReadAsync<VapidPublicKeyResponse>();
        Assert.StartsWith("vapid t=", push.Headers["Authorization"], StringComparison.Ordinal);
        Assert.EndsWith($"k={key.PublicKey}", push.Headers["Authorization"], StringComparison.Ordinal);
        var file = Path.Combine(app.DataDirectory, "vapid-keys.json");
        Assert.Contains(key.PublicKey, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task Subscriptions_the_push_service_answers_404_or_410_are_removed_and_bad_ones_refused()
    {
        var s = await SettingAsync();
        await using var service = await LoopbackPushService.StartAsync();
        using var gone = new WebPushBrowser();
        using var missing = new WebPushBrowser();
        using var alive = new WebPushBrowser();
        var gonePath = await SubscribeAsync(s.Bob, gone, service, $"gone/{Guid.NewGuid():N}");
        var missingPath = await SubscribeAsync(s.Bob, missing, service, $"missing/{Guid.NewGuid():N}");
        var alivePath = await SubscribeAsync(s.Bob, alive, service, $"ok/{Guid.NewGuid():N}");

        await s.Alice.Client.SendOkAsync(s.Dm, "first");
        await service.NextAsync(gonePath);
        await service.NextAsync(missingPath);
        Assert.Equal("first", Read(alive, await service.NextAsync(alivePath)).Body);
        await s.Alice.Client.SendOkAsync(s.Dm, "second");
        Assert.Equal("second", Read(alive, await service.NextAsync(alivePath)).Body);

        // The first message's job finished before the second's began: the dead ones were gone by then.
        Assert.Single(service.Received, r => r.Path == gonePath);
        Assert.Single(service.Received, r => r.Path == missingPath);
        var endpoints = await app.QueryAsync(db => db.Set<WebPushSubscription>().Where(x => x.UserId == s.Bob.Id).Select(x => x.Endpoint).ToListAsync());
        Assert.Equal([service.Endpoint(alivePath[1..])], endpoints);

        var insecure = await s.Bob.Client.PostAsJsonAsync("/api/v1/users/@me/push-subscriptions", alive.SubscriptionJson("ftp://example.test/x"));
        await insecure.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var badKey = await s.Bob.Client.PostAsJsonAsync("/api/v1/users/@me/push-subscriptions",
            new { endpoint = service.Endpoint("ok/bad"), keys = new { p256dh = "AAAA", auth = Base64Url.EncodeToString(alive.AuthSecret) } });
        await badKey.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        var unsubscribed = await s.Bob.Client.DeleteAsync($"/api/v1/users/@me/push-subscriptions?endpoint={Uri.EscapeDataString(service.Endpoint(alivePath[1..]))}");
        Assert.Equal(HttpStatusCode.NoContent, unsubscribed.StatusCode);
        Assert.Equal(0, await app.QueryAsync(db => db.Set<WebPushSubscription>().CountAsync(x => x.UserId == s.Bob.Id)));
    }

    [Fact]
    public async Task A_channel_the_user_cannot_read_is_never_pushed()
    {
        var s = await SettingAsync();
        await using var service = await LoopbackPushService.StartAsync();
        using var browser = new WebPushBrowser();
        var path = await SubscribeAsync(s.Bob, browser, service, $"ok/{Guid.NewGuid():N}");
        var staff = await s.Alice.CreateChannelAsync(s.ServerId, "staff");
        await s.Alice.HideFromEveryoneAsync(s.ServerId, staff.Id);

        await s.Alice.Client.SendOkAsync(staff.Id, "@everyone staff only: the secret plan");
        await s.Alice.Client.SendOkAsync(staff.Id, $"<@{s.Bob.Id}> staff only: named but not let in");
        // Jobs run one at a time in order: when this one's push arrives, the two before it have been dealt with. Its
        // text reads mentions as names, as the message does, but names no channel Bob cannot see.
        var crew = await s.Alice.CreateRoleAsync(s.ServerId, "crew", 0);
        await s.Alice.Client.SendOkAsync(s.General, $"<@{s.Bob.Id}> where Bob can read: <@&{crew.Id}>, see <#{s.General}>, not <#{staff.Id}>");

        Assert.Equal($"@{s.Bob.Username} where Bob can read: @crew, see #general, not #unknown-channel", Read(browser, await service.NextAsync(path)).Body);
        Assert.Single(service.Received, r => r.Path == path);
    }

    [Fact]
    public async Task Channel_levels_server_mutes_do_not_disturb_and_open_apps_hold_pushes_back()
    {
        var s = await SettingAsync();
        await using var service = await LoopbackPushService.StartAsync();
        using var browser = new WebPushBrowser();
        var path = await SubscribeAsync(s.Bob, browser, service, $"ok/{Guid.NewGuid():N}");
        var rules = "/api/v1/users/@me/notification-settings";

        // Rules are read when the job runs: before changing one, the jobs of the messages sent so far must be done. Jobs
        // run one at a time in order, so a push that reaches Carol says every earlier message has been dealt with.
        var carol = await app.UserAsync();
        using var carolsBrowser = new WebPushBrowser();
        var carolsPath = await SubscribeAsync(carol, carolsBrowser, service, $"ok/{Guid.NewGuid():N}");
        var toCarol = Snowflake.Parse((await (await s.Alice.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = carol.Id }))
            .ReadAsync<JsonElement>(HttpStatusCode.Created)).GetProperty("id").GetString()!, null);
        async Task SettledAsync()
        {
            await s.Alice.Client.SendOkAsync(toCarol, "probe");
            await service.NextAsync(carolsPath);
        }

        Assert.Equal(HttpStatusCode.OK, (await s.Bob.Client.PutAsJsonAsync($"{rules}/channels/{s.General}", new { level = "nothing", muted = false })).StatusCode);
        await s.Alice.Client.SendOkAsync(s.General, $"<@{s.Bob.Id}> held: channel says nothing");
        await SettledAsync();
        Assert.Equal(HttpStatusCode.OK, (await s.Bob.Client.PutAsJsonAsync($"{rules}/channels/{s.General}", new { level = (string?)null, muted = false })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await s.Bob.Client.PutAsJsonAsync($"{rules}/servers/{s.ServerId}", new { muted = true, muteMinutes = 15 })).StatusCode);
        await s.Alice.Client.SendOkAsync(s.General, $"<@{s.Bob.Id}> held: server muted for 15 minutes");
        await SettledAsync();
        Assert.Equal(HttpStatusCode.OK, (await s.Bob.Client.PutAsJsonAsync($"{rules}/servers/{s.ServerId}", new { muted = false })).StatusCode);
        await s.Alice.Client.SendOkAsync(s.General, "held: no mention, and the server's default level is mentions");

        // Online: the open app notifies by itself. Then Do Not Disturb, which outlasts the connection.
        await using (var online = await GatewayClient.ConnectAsync(app, s.Bob.Tokens.AccessToken))
        {
            await online.ReadyAsync();
            await s.Alice.Client.SendOkAsync(s.Dm, "held: Bob has the app open");
            await SettledAsync();
            await online.Connection.InvokeAsync("SetPresence", "dnd");
        }
        await UntilDisconnectedAsync(s.Bob.Id);
        await s.Alice.Client.SendOkAsync(s.Dm, "held: do not disturb");
        await SettledAsync();
        await using (var online = await GatewayClient.ConnectAsync(app, s.Bob.Tokens.AccessToken))
        {
            await online.ReadyAsync();
            await online.Connection.InvokeAsync("SetPresence", "online");
        }
        await UntilDisconnectedAsync(s.Bob.Id);

        await s.Alice.Client.SendOkAsync(s.General, $"<@{s.Bob.Id}> pushed: a mention, nothing silenced");
        Assert.Equal($"<@{s.Bob.Id}> pushed: a mention, nothing silenced".Replace($"<@{s.Bob.Id}>", $"@{s.Bob.Username}", StringComparison.Ordinal),
            Read(browser, await service.NextAsync(path)).Body);
        Assert.Single(service.Received, r => r.Path == path);
    }

    /// <summary>The server has seen the connection close (the client's dispose does not wait for that).</summary>
    private async Task UntilDisconnectedAsync(Snowflake userId)
    {
        var presence = app.Services.GetRequiredService<PresenceTracker>();
        using var timeout = new CancellationTokenSource(GatewayClient.Patience);
        while (await presence.IsConnectedAsync(userId))
            await Task.Delay(20, timeout.Token);
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqlitePushTests(PushSqliteApp app) : PushTests(app), IClassFixture<PushSqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresPushTests(PushPostgresApp app) : PushTests(app), IClassFixture<PushPostgresApp>;
