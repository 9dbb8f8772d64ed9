using KamaChat.Desktop.Tests.Infrastructure;
using static KamaChat.Desktop.Tests.Infrastructure.SignedInApp;

namespace KamaChat.Desktop.Tests.App;

/// <summary>
/// Native notifications, the tray badge and the tray menu, driven by what happens on the server: another user's
/// DM reaches the app's client through the gateway, and the client raises the notification and sets the badge.
/// </summary>
[Collection(DesktopCollection.Name)]
public sealed class NotificationAndTrayTests(DesktopSession session)
{
    [Fact(Timeout = 240_000)]
    public async Task A_dm_from_another_user_raises_a_native_notification_and_the_tray_badge_and_clicking_it_opens_the_dm()
    {
        await session.RunAsync("dunstctl", "close-all");
        await using var app = await StartAsync(session);
        var friend = await session.Server.RegisterAsync("friend");
        var dm = await friend.OpenDmAsync(app.User.Id);
        await app.WaitForClientAsync(WindowClient);
        var (tray, _) = await app.TrayAsync();
        var mentions = await app.TrayMentionsAsync();
        var shown = await session.ShownNotificationsAsync();

        var message = await friend.SendMessageAsync(dm, "ping from a friend");

        // Counted by the notification daemon, and the tray counts one more mention.
        await DesktopSession.WaitUntilAsync(async () => await session.ShownNotificationsAsync() == shown + 1, "the notification on the desktop");
        await DesktopSession.WaitUntilAsync(async () => await app.TrayMentionsAsync() == mentions + 1, "the tray's mention count");
        Assert.Equal("NeedsAttention", await tray.GetAsync<string>("Status"));
        var badged = await tray.GetAsync<(int, int, byte[])[]>("IconPixmap");
        await app.Page.ScreenshotAsync(Path.Combine(DesktopSession.ScreenshotDirectory, "desktop-before-click.png"));

        // The person clicks the notification: dunst invokes its default action.
        await session.RunAsync("dunstctl", "action", "0");
        await app.Page.WaitForAsync($"location.pathname === '/channels/@me/{dm}/{message}'", "the DM opened at the message by the notification");
        await app.Page.WaitForTextAsync("ping from a friend");
        await DesktopSession.WaitUntilAsync(async () => await session.ShownNotificationsAsync() == shown, "the clicked notification to close");
        // Read now: the badge counts one less again.
        await DesktopSession.WaitUntilAsync(async () => await app.TrayMentionsAsync() == mentions, "the badge after reading");
        Assert.NotEqual(badged[0].Item3, (await tray.GetAsync<(int, int, byte[])[]>("IconPixmap"))[0].Item3);
        if (mentions == 0)
            Assert.Equal("Active", await tray.GetAsync<string>("Status"));
    }

    [Fact(Timeout = 240_000)]
    public async Task Mute_notifications_in_the_tray_mutes_them_on_the_server_and_silences_the_next_dm()
    {
        await session.RunAsync("dunstctl", "close-all");
        await using var app = await StartAsync(session);
        var friend = await session.Server.RegisterAsync("chatty");
        var dm = await friend.OpenDmAsync(app.User.Id);
        await app.WaitForClientAsync(WindowClient);
        Assert.False(await app.TrayMenuCheckedAsync("Mute notifications"));

        await app.ClickTrayMenuAsync("Mute notifications");
        // The client saves it as the user's setting (every device mutes), and the tray shows what the server has.
        await DesktopSession.WaitUntilAsync(async () => (await app.User.NotificationSettingsAsync()).GetProperty("desktopMuted").GetBoolean(), "the mute on the server");
        await DesktopSession.WaitUntilAsync(() => app.TrayMenuCheckedAsync("Mute notifications"), "the mute's checkmark");
        var shown = await session.ShownNotificationsAsync();
        var mentions = await app.TrayMentionsAsync();
        await friend.SendMessageAsync(dm, "you will not see this pop up");
        // The message arrived (the badge counts it), and nothing popped up.
        await DesktopSession.WaitUntilAsync(async () => await app.TrayMentionsAsync() == mentions + 1, "the muted DM in the badge");
        Assert.Equal(shown, await session.ShownNotificationsAsync());

        await app.ClickTrayMenuAsync("Mute notifications");
        await DesktopSession.WaitUntilAsync(async () => !(await app.User.NotificationSettingsAsync()).GetProperty("desktopMuted").GetBoolean(), "the unmute on the server");
        await DesktopSession.WaitUntilAsync(async () => !await app.TrayMenuCheckedAsync("Mute notifications"), "the mute's checkmark gone");
        await friend.SendMessageAsync(dm, "but this one");
        await DesktopSession.WaitUntilAsync(async () => await session.ShownNotificationsAsync() == shown + 1, "the notification after unmuting");
        await session.RunAsync("dunstctl", "close-all");
    }

    [Fact(Timeout = 240_000)]
    public async Task The_tray_status_reaches_other_users_through_the_server_and_start_on_login_turns_on_and_off()
    {
        await using var app = await StartAsync(session);
        var friend = await session.Server.RegisterAsync("watcher");
        await friend.OpenDmAsync(app.User.Id);
        await app.WaitForClientAsync(WindowClient);
        await using var gateway = await GatewayWatcher.ConnectAsync(session.Server, friend);
        await gateway.WaitForPresenceAsync(app.User.Id, "online");

        await app.ClickTrayMenuAsync("Do Not Disturb");
        await gateway.WaitForPresenceAsync(app.User.Id, "dnd");
        Assert.True(await app.TrayMenuCheckedAsync("Do Not Disturb"));
        Assert.False(await app.TrayMenuCheckedAsync("Online"));
        await app.ClickTrayMenuAsync("Online");
        await gateway.WaitForPresenceAsync(app.User.Id, "online");

        var autostart = Path.Combine(session.Environment["XDG_CONFIG_HOME"], "autostart", "kamachat.desktop");
        await app.ClickTrayMenuAsync("Start on login");
        Assert.True(File.Exists(autostart));
        Assert.Contains("--hidden", await File.ReadAllTextAsync(autostart));
        Assert.True(await app.TrayMenuCheckedAsync("Start on login"));
        await app.ClickTrayMenuAsync("Start on login");
        Assert.False(File.Exists(autostart));
    }
}
