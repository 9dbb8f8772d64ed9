using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Notifications;
using KamaChat.Server.Features.Users;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Notifications;

/// <summary>Real mail (aiosmtpd), a digest delay of zero, and scans driven by the test instead of the clock.</summary>
public abstract class DigestApp : MailingApp
{
    protected override async Task<IReadOnlyDictionary<string, string?>> SettingsAsync() =>
        new Dictionary<string, string?>(await base.SettingsAsync())
        {
            ["KAMACHAT_DIGEST_DELAY_SECONDS"] = "0",
            ["KAMACHAT_DIGEST_SCAN_SECONDS"] = "3600",
        };

    public async Task<int> ScanAsync()
    {
        await Task.Delay(5); // the messages' milliseconds must be in the past
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DigestSender>().SendDueAsync(CancellationToken.None);
    }

    /// <summary>Marks the address verified, as following the emailed link would.</summary>
    public async Task VerifyAsync(TestUser user)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var account = (await users.FindByIdAsync(user.Id.ToString()))!;
        Assert.True((await users.ConfirmEmailAsync(account, await users.GenerateEmailConfirmationTokenAsync(account))).Succeeded);
    }
}

public sealed class DigestSqliteApp : DigestApp
{
    public override string ProviderName => "sqlite";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
}

public sealed class DigestPostgresApp : DigestApp
{
    public override string ProviderName => "postgres";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => PostgresServer.CreateDatabaseAsync();
}

public abstract class DigestTests(DigestApp app)
{
    private sealed record Setting(TestUser Alice, TestUser Bob, string BobEmail, Snowflake ServerId, Snowflake General);

    private async Task<Setting> SettingAsync()
    {
        var alice = await app.UserAsync();
        var bobName = Api.UniqueName("bob");
        var bob = await app.UserAsync(bobName);
        await app.VerifyAsync(alice);
        await app.VerifyAsync(bob);
        var server = await alice.CreateServerAsync("Digest club");
        await bob.JoinAsync(alice, server.Id);
        var channels = await (await alice.Client.GetAsync($"/api/v1/servers/{server.Id}/channels")).ReadAsync<List<ChannelResponse>>();
        return new Setting(alice, bob, $"{bobName}@example.test", server.Id, channels.Single().Id);
    }

    private static async Task<Snowflake> DmAsync(TestUser from, TestUser to)
    {
        var dm = await (await from.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = to.Id }))
            .Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(Api.Json);
        return Snowflake.Parse(dm.GetProperty("id").GetString()!, null);
    }

    private static bool IsDigest(MimeKit.MimeMessage message) =>
        (message.TextBody ?? "").Contains("While you were away", StringComparison.Ordinal);

    [Fact]
    public async Task Mentions_and_dms_missed_while_away_arrive_in_one_digest_whose_link_unsubscribes()
    {
        var s = await SettingAsync();
        await s.Alice.Client.SendOkAsync(s.General, $"<@{s.Bob.Id}> the build is green");
        await s.Alice.Client.SendOkAsync(s.General, "chatter nobody asked to be mailed about");
        await s.Alice.Client.SendOkAsync(await DmAsync(s.Alice, s.Bob), "psst, lunch?");

        Assert.True(await app.ScanAsync() >= 1);

        var digest = await SmtpServer.WaitForMessageAsync(s.BobEmail, "unread messages on KamaChat");
        Assert.Contains("the build is green", digest.TextBody, StringComparison.Ordinal);
        Assert.Contains("psst, lunch?", digest.TextBody, StringComparison.Ordinal);
        Assert.Contains("Digest club › #general", digest.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("chatter nobody asked", digest.TextBody, StringComparison.Ordinal);

        // Nothing new: the next scan mails nothing.
        Assert.Equal(0, await app.ScanAsync());

        var (link, query) = Mail.LinkTo(digest, "unsubscribe");
        Assert.StartsWith(MailingApp.PublicUrl + "/unsubscribe?", link.AbsoluteUri, StringComparison.Ordinal);
        var unsubscribed = await (await app.CreateClient().PostAsJsonAsync("/api/v1/notifications/unsubscribe", new { token = query["token"] }))
            .ReadAsync<NotificationSettingsResponse>();
        Assert.Equal("none", unsubscribed.Email);

        await s.Alice.Client.SendOkAsync(s.General, $"<@{s.Bob.Id}> are you there?");
        Assert.Equal(0, await app.ScanAsync());
        Assert.Single(await SmtpServer.MessagesToAsync(s.BobEmail), IsDigest);
    }

    [Fact]
    public async Task Read_messages_muted_servers_and_connected_users_are_not_mailed()
    {
        var s = await SettingAsync();
        var read = await s.Alice.Client.SendOkAsync(s.General, $"<@{s.Bob.Id}> already seen");
        Assert.Equal(HttpStatusCode.OK, (await s.Bob.Client.PostAsync($"/api/v1/channels/{s.General}/messages/{read.Id}/ack", null)).StatusCode);
        Assert.Equal(0, await app.ScanAsync());

        var muted = await s.Bob.Client.PatchAsJsonAsync("/api/v1/users/@me/notification-settings", new { mutedServerIds = new object[] { s.ServerId, "123" } });
        Assert.Equal([s.ServerId], (await muted.ReadAsync<NotificationSettingsResponse>()).MutedServerIds);
        await s.Alice.Client.SendOkAsync(s.General, $"<@{s.Bob.Id}> in a muted server");
        Assert.Equal(0, await app.ScanAsync());

        await using var online = await GatewayClient.ConnectAsync(app, s.Bob.Client.DefaultRequestHeaders.Authorization!.Parameter!);
        await online.ReadyAsync();
        await s.Alice.Client.SendOkAsync(await DmAsync(s.Alice, s.Bob), "you are online, no mail");
        Assert.Equal(0, await app.ScanAsync());

        Assert.DoesNotContain(await SmtpServer.MessagesToAsync(s.BobEmail), IsDigest);
    }

    [Fact]
    public async Task Channels_and_servers_silenced_for_pop_ups_are_not_mailed_either()
    {
        // Silenced when the digest is put together: what was sent there is left out, DMs still go.
        var s = await SettingAsync();
        var rules = "/api/v1/users/@me/notification-settings";
        var random = await s.Alice.CreateChannelAsync(s.ServerId, "random");
        Assert.Equal(HttpStatusCode.OK, (await s.Bob.Client.PutAsJsonAsync($"{rules}/channels/{s.General}", new { level = "nothing", muted = false })).StatusCode);
        await s.Alice.Client.SendOkAsync(s.General, $"<@{s.Bob.Id}> in a channel set to nothing");
        await app.ScanAsync(); // other tests' users may have digests due; Bob has none

        Assert.Equal(HttpStatusCode.OK, (await s.Bob.Client.PutAsJsonAsync($"{rules}/servers/{s.ServerId}", new { muted = true, muteMinutes = 60 })).StatusCode);
        await s.Alice.Client.SendOkAsync(random.Id, $"<@{s.Bob.Id}> in a server muted for an hour");
        await app.ScanAsync(); // other tests' users may have digests due; Bob has none

        await s.Alice.Client.SendOkAsync(await DmAsync(s.Alice, s.Bob), "a DM is not silenced");
        Assert.True(await app.ScanAsync() >= 1);
        var digest = await SmtpServer.WaitForMessageAsync(s.BobEmail, "sent you a message on KamaChat");
        Assert.Contains("a DM is not silenced", digest.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("set to nothing", digest.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("muted for an hour", digest.TextBody, StringComparison.Ordinal);
        Assert.Single(await SmtpServer.MessagesToAsync(s.BobEmail), IsDigest);
    }

    [Fact]
    public async Task Choosing_all_messages_mails_the_chatter_too_and_bad_settings_are_refused()
    {
        var s = await SettingAsync();
        var bad = await s.Bob.Client.PatchAsJsonAsync("/api/v1/users/@me/notification-settings", new { email = "sometimes" });
        await bad.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var all = await (await s.Bob.Client.PatchAsJsonAsync("/api/v1/users/@me/notification-settings", new { email = "all" })).ReadAsync<NotificationSettingsResponse>();
        Assert.Equal("all", all.Email);
        Assert.Equal("all", (await (await s.Bob.Client.GetAsync("/api/v1/users/@me/notification-settings")).ReadAsync<NotificationSettingsResponse>()).Email);

        await s.Alice.Client.SendOkAsync(s.General, "general chatter for the keen");
        Assert.True(await app.ScanAsync() >= 1);

        var digest = await SmtpServer.WaitForMessageAsync(s.BobEmail, "sent you a message on KamaChat");
        Assert.Contains("general chatter for the keen", digest.TextBody, StringComparison.Ordinal);
        await (await app.CreateClient().PostAsJsonAsync("/api/v1/notifications/unsubscribe", new { token = "forged" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_token");
    }

    [Fact]
    public async Task What_was_sent_before_the_user_joined_or_was_given_a_role_is_not_mailed()
    {
        var alice = await app.UserAsync();
        var (bobName, carolName) = (Api.UniqueName("bob"), Api.UniqueName("carol"));
        var (bob, carol) = (await app.UserAsync(bobName), await app.UserAsync(carolName));
        foreach (var user in new[] { alice, bob, carol })
            await app.VerifyAsync(user);
        Assert.Equal("all", (await (await carol.Client.PatchAsJsonAsync("/api/v1/users/@me/notification-settings", new { email = "all" }))
            .ReadAsync<NotificationSettingsResponse>()).Email);
        var server = await alice.CreateServerAsync("Old hands");
        var general = (await (await alice.Client.GetAsync($"/api/v1/servers/{server.Id}/channels")).ReadAsync<List<ChannelResponse>>()).Single().Id;
        var mods = (await alice.CreateRoleAsync(server.Id, "mods", P.None)).Id;
        await alice.Client.SendOkAsync(general, "@everyone before anyone came");
        await alice.Client.SendOkAsync(general, "chatter before anyone came");

        await bob.JoinAsync(alice, server.Id);
        await carol.JoinAsync(alice, server.Id);
        await alice.Client.SendOkAsync(general, $"<@&{mods}> before the grant");
        await alice.AssignRoleAsync(server.Id, bob, mods);
        await alice.Client.SendOkAsync(general, $"<@&{mods}> after the grant");
        await alice.Client.SendOkAsync(general, "chatter after they came");
        Assert.True(await app.ScanAsync() >= 2);

        var toBob = (await SmtpServer.WaitForMessageAsync($"{bobName}@example.test", "on KamaChat")).TextBody;
        Assert.Contains("after the grant", toBob, StringComparison.Ordinal);
        Assert.DoesNotContain("before anyone came", toBob, StringComparison.Ordinal);
        Assert.DoesNotContain("before the grant", toBob, StringComparison.Ordinal);
        Assert.DoesNotContain("chatter", toBob, StringComparison.Ordinal);
        var toCarol = (await SmtpServer.WaitForMessageAsync($"{carolName}@example.test", "on KamaChat")).TextBody;
        Assert.Contains("chatter after they came", toCarol, StringComparison.Ordinal);
        Assert.Contains("before the grant", toCarol, StringComparison.Ordinal);
        Assert.DoesNotContain("before anyone came", toCarol, StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_the_user_cannot_read_when_the_digest_goes_out_is_not_mailed()
    {
        // Read when the digest is put together: a channel closed to Bob after the message was sent is left out too.
        var s = await SettingAsync();
        var staff = await s.Alice.CreateChannelAsync(s.ServerId, "staff");
        await s.Alice.Client.SendOkAsync(staff.Id, $"<@{s.Bob.Id}> sent before the door closed");
        await s.Alice.HideFromEveryoneAsync(s.ServerId, staff.Id);
        await s.Alice.Client.SendOkAsync(staff.Id, "@everyone staff only: the secret plan");
        await s.Alice.Client.SendOkAsync(s.General, $"<@{s.Bob.Id}> where Bob can read, in <#{s.General}> not <#{staff.Id}>");

        Assert.True(await app.ScanAsync() >= 1);

        // One message left: the subject names its author ("You have 3 unread messages" had the hidden two gone out).
        var digest = await SmtpServer.WaitForMessageAsync(s.BobEmail, $"{s.Alice.Username} sent you a message on KamaChat");
        // Mentions read as names, as the message does, but no channel Bob cannot see is named.
        Assert.Contains($"@{s.Bob.Username} where Bob can read, in #general not #unknown-channel", digest.TextBody, StringComparison.Ordinal);
        Assert.Contains($"@{s.Bob.Username} where Bob can read, in #general not #unknown-channel", digest.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("before the door closed", digest.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("secret plan", digest.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("staff", digest.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_role_mention_alone_is_mailed()
    {
        var s = await SettingAsync();
        var crew = (await s.Alice.CreateRoleAsync(s.ServerId, "crew", P.None)).Id;
        await s.Alice.AssignRoleAsync(s.ServerId, s.Bob, crew);
        await s.Alice.Client.SendOkAsync(s.General, $"<@&{crew}> the deploy is at noon");

        Assert.True(await app.ScanAsync() >= 1);

        var digest = await SmtpServer.WaitForMessageAsync(s.BobEmail, "sent you a message on KamaChat");
        Assert.Contains("the deploy is at noon", digest.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Muting_device_notifications_is_kept_apart_from_email_and_from_other_users()
    {
        var s = await SettingAsync();
        var before = await (await s.Bob.Client.GetAsync("/api/v1/users/@me/notification-settings")).ReadAsync<NotificationSettingsResponse>();
        Assert.False(before.DesktopMuted);

        var muted = await (await s.Bob.Client.PatchAsJsonAsync("/api/v1/users/@me/notification-settings", new { desktopMuted = true }))
            .ReadAsync<NotificationSettingsResponse>();
        Assert.True(muted.DesktopMuted);
        Assert.Equal(before.Email, muted.Email);
        // A patch of something else leaves it muted; another user is not muted by it.
        await s.Bob.Client.PatchAsJsonAsync("/api/v1/users/@me/notification-settings", new { email = "none" });
        Assert.True((await (await s.Bob.Client.GetAsync("/api/v1/users/@me/notification-settings")).ReadAsync<NotificationSettingsResponse>()).DesktopMuted);
        Assert.False((await (await s.Alice.Client.GetAsync("/api/v1/users/@me/notification-settings")).ReadAsync<NotificationSettingsResponse>()).DesktopMuted);

        var unmuted = await (await s.Bob.Client.PatchAsJsonAsync("/api/v1/users/@me/notification-settings", new { desktopMuted = false }))
            .ReadAsync<NotificationSettingsResponse>();
        Assert.False(unmuted.DesktopMuted);
        Assert.Equal("none", unmuted.Email);
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteDigestTests(DigestSqliteApp app) : DigestTests(app), IClassFixture<DigestSqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresDigestTests(DigestPostgresApp app) : DigestTests(app), IClassFixture<DigestPostgresApp>;
