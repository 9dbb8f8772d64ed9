using KamaChat.Desktop.Tests.Infrastructure;
using static KamaChat.Desktop.Tests.Infrastructure.SignedInApp;

namespace KamaChat.Desktop.Tests.App;

/// <summary>
/// Native notifications and the tray badge. The page raises them through the web platform APIs the bridge
/// implements (new Notification, navigator.setAppBadge); the web client calls those itself from phase B on,
/// so here the test plays the client's part after a real DM arrives.
/// </summary>
[Collection(DesktopCollection.Name)]
public sealed class NotificationAndTrayTests(DesktopSession session)
{
    [Fact(Timeout = 240_000)]
    public async Task A_notification_reaches_the_daemon_sets_the_badge_and_clicking_it_opens_the_dm()
    {
        await using var app = await StartAsync(session);
        var other = await session.Server.RegisterAsync("friend");
        var dm = await other.OpenDmAsync(app.User.Id);
        await other.SendAsync(dm, "ping from a friend");
        var (tray, _) = await app.TrayAsync();
        Assert.Equal("KamaChat", await tray.GetAsync<string>("Title"));
        Assert.Equal("Active", await tray.GetAsync<string>("Status"));
        var before = await session.ShownNotificationsAsync();

        await app.Page.EvaluateAsync($$"""
            new Promise((resolve, reject) => {
              const n = new Notification({{Js(other.Username)}}, { body: 'ping from a friend', tag: 'dm-{{dm}}', data: { path: '/channels/@me/{{dm}}' } });
              n.onshow = resolve; n.onerror = reject;
            }).then(() => navigator.setAppBadge(1))
            """);

        Assert.Equal(before + 1, await session.ShownNotificationsAsync());
        await DesktopSession.WaitUntilAsync(async () => await tray.GetAsync<string>("Title") == "KamaChat (1)", "the tray's mention count");
        Assert.Equal("NeedsAttention", await tray.GetAsync<string>("Status"));
        var tooltip = await tray.GetAsync<(string, (int, int, byte[])[], string, string)>("ToolTip");
        Assert.Equal("1 mention or direct message", tooltip.Item4);
        var badged = await tray.GetAsync<(int, int, byte[])[]>("IconPixmap");

        // The person clicks the notification: dunst invokes its default action.
        await session.RunAsync("dunstctl", "action", "0");
        await app.Page.WaitForAsync($"location.pathname === '/channels/@me/{dm}'", "the DM opened by the notification");
        await app.Page.WaitForTextAsync("ping from a friend");
        await DesktopSession.WaitUntilAsync(async () => await session.ShownNotificationsAsync() == before, "the clicked notification to close");

        await app.Page.EvaluateAsync("navigator.clearAppBadge()");
        await DesktopSession.WaitUntilAsync(async () => await tray.GetAsync<string>("Title") == "KamaChat", "the cleared badge");
        Assert.Equal("Active", await tray.GetAsync<string>("Status"));
        var plain = await tray.GetAsync<(int, int, byte[])[]>("IconPixmap");
        Assert.NotEqual(badged[0].Item3, plain[0].Item3);
    }

    [Fact(Timeout = 240_000)]
    public async Task Unread_without_mentions_shows_a_dot_and_muting_from_the_tray_silences_notifications()
    {
        await using var app = await StartAsync(session);
        var (tray, _) = await app.TrayAsync();
        await app.Page.EvaluateAsync("kamachatDesktop.setUnread({ unread: 3, mentions: 0 })");
        await DesktopSession.WaitUntilAsync(async () => await tray.GetAsync<string>("Title") == "KamaChat •", "the unread dot");
        Assert.Equal("Active", await tray.GetAsync<string>("Status"));

        await app.ClickTrayMenuAsync("Mute notifications");
        Assert.True(await app.TrayMenuCheckedAsync("Mute notifications"));
        var before = await session.ShownNotificationsAsync();
        await app.Page.EvaluateAsync("new Promise((resolve) => { const n = new Notification('muted', { body: 'not shown' }); n.onshow = resolve; })");
        Assert.Equal(before, await session.ShownNotificationsAsync());

        await app.ClickTrayMenuAsync("Mute notifications");
        Assert.False(await app.TrayMenuCheckedAsync("Mute notifications"));
        await app.Page.EvaluateAsync("new Promise((resolve) => { const n = new Notification('loud', { body: 'shown' }); n.onshow = resolve; })");
        Assert.Equal(before + 1, await session.ShownNotificationsAsync());
        await session.RunAsync("dunstctl", "close-all");
        await app.Page.EvaluateAsync("kamachatDesktop.setUnread({ unread: 0, mentions: 0 })");
    }

    [Fact(Timeout = 240_000)]
    public async Task The_tray_menu_asks_the_page_for_a_status_and_turns_start_on_login_on_and_off()
    {
        await using var app = await StartAsync(session);
        await app.Page.EvaluateAsync("window.__statuses = []; addEventListener('kamachat-desktop:status', (e) => __statuses.push(e.detail.status)); 1");
        await app.ClickTrayMenuAsync("Do Not Disturb");
        await app.Page.WaitForAsync("__statuses.includes('dnd')", "the status event in the page");
        Assert.True(await app.TrayMenuCheckedAsync("Do Not Disturb"));
        Assert.False(await app.TrayMenuCheckedAsync("Online"));

        var autostart = Path.Combine(session.Environment["XDG_CONFIG_HOME"], "autostart", "kamachat.desktop");
        await app.ClickTrayMenuAsync("Start on login");
        Assert.True(File.Exists(autostart));
        Assert.Contains("--hidden", await File.ReadAllTextAsync(autostart));
        Assert.True(await app.TrayMenuCheckedAsync("Start on login"));
        await app.ClickTrayMenuAsync("Start on login");
        Assert.False(File.Exists(autostart));
        await app.ClickTrayMenuAsync("Online");
    }
}
