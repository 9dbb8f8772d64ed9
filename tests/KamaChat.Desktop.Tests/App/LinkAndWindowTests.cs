using KamaChat.Desktop.Tests.Infrastructure;
using static KamaChat.Desktop.Tests.Infrastructure.SignedInApp;

namespace KamaChat.Desktop.Tests.App;

[Collection(DesktopCollection.Name)]
public sealed class LinkAndWindowTests(DesktopSession session)
{
    [Fact(Timeout = 240_000)]
    public async Task Xdg_open_of_kamachat_links_joins_a_server_and_lands_on_a_message_in_the_running_app()
    {
        await using var app = await StartAsync(session);
        var owner = await session.Server.RegisterAsync("owner");
        var (serverId, channelId) = await owner.CreateServerAsync("Linked Guild");
        var code = await owner.CreateInviteAsync(serverId);
        Assert.False(await owner.IsMemberAsync(serverId, app.User.Id));

        // The desktop resolves the scheme through kamachat.desktop (registered by the app with xdg-mime), whose
        // Exec starts a second kamachat-desktop: it hands the link to the running one and exits.
        Assert.Equal("kamachat.desktop", (await session.RunAsync("xdg-mime", "query", "default", "x-scheme-handler/kamachat")).Trim());
        await session.RunAsync("xdg-open", $"kamachat://invite/{code}");

        await app.Page.WaitForAsync($"location.pathname === '/invite/{code}'", "the invite page in the running window");
        await app.Page.WaitForTextAsync("Linked Guild");
        await app.Page.EvaluateAsync("[...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Accept invite').setAttribute('data-test', 'accept')");
        await app.Page.ClickAsync("button[data-test=accept]");
        await DesktopSession.WaitUntilAsync(() => owner.IsMemberAsync(serverId, app.User.Id), "the membership the invite link gave");

        // A link to a message, as shared in a chat or an email: the running app opens the channel at it.
        var message = await owner.SendMessageAsync(channelId, "the message a link points at");
        await owner.SendMessageAsync(channelId, "a later message");
        await session.RunAsync("xdg-open", $"kamachat://channels/{channelId}/{message}");
        await app.Page.WaitForAsync($"location.pathname === '/servers/{serverId}/channels/{channelId}/{message}'", "the channel at the message");
        await app.Page.WaitForAsync($"document.querySelector('[data-message-id=\"{message}\"]')?.getAttribute('aria-current') === 'location'", "the message marked");
        Assert.False(app.Host.HasExited);
    }

    [Fact(Timeout = 240_000)]
    public async Task With_the_window_closed_the_client_runs_on_in_the_tray_and_a_dm_notification_opens_the_window_at_it()
    {
        await session.RunAsync("dunstctl", "close-all");
        await using var app = await StartAsync(session);
        var friend = await session.Server.RegisterAsync("latenight");
        var dm = await friend.OpenDmAsync(app.User.Id);
        var (tray, _) = await app.TrayAsync();
        var hidden = app.Host.Said(HiddenClient);

        await app.CloseWindowAsync();
        // The app stays in the tray, and its client goes on in a hidden page, connected.
        await app.WaitForClientAsync(HiddenClient, hidden + 1);
        Assert.False(app.Host.HasExited);
        Assert.Equal("kamachat", await tray.GetAsync<string>("Id"));
        Assert.Empty(await app.Host.WindowPagesAsync());

        var shown = await session.ShownNotificationsAsync();
        var mentions = await app.TrayMentionsAsync();
        var message = await friend.SendMessageAsync(dm, "are you still up?");
        await DesktopSession.WaitUntilAsync(async () => await session.ShownNotificationsAsync() == shown + 1, "the notification with the window closed");
        await DesktopSession.WaitUntilAsync(async () => await app.TrayMentionsAsync() == mentions + 1, "the tray badge with the window closed");

        await session.RunAsync("dunstctl", "action", "0");
        await app.ReattachAsync();
        await app.Page.WaitForAsync($"location.pathname === '/channels/@me/{dm}/{message}'", "the window the notification opened, at the DM");
        await app.Page.WaitForTextAsync("are you still up?");

        // Closed again, a second launch (the menu entry) brings the window back, still signed in.
        await app.CloseWindowAsync();
        await session.RunAsync(DesktopHost.Executable);
        await app.ReattachAsync();
        await app.Page.WaitForAsync("document.querySelector('nav[aria-label=\"Servers\"]')", "the window a second launch reopened, still signed in");
        // And the tray's Open does too.
        await app.CloseWindowAsync();
        await tray.ActivateAsync(0, 0);
        await app.ReattachAsync();
        await app.SignInIfAskedAsync();
    }

    [Fact(Timeout = 240_000)]
    public async Task Started_hidden_as_on_login_the_client_runs_in_the_tray_and_notifies_until_the_window_is_opened()
    {
        await session.RunAsync("dunstctl", "close-all");
        var user = await session.UserAsync();
        // Signed in at some earlier start: the session is in the keyring, where the app keeps it.
        await session.RunWithInputAsync(await session.Server.StoredSessionAsync(user), "secret-tool", "store", "--label", "KamaChat",
            "application", "kamachat-desktop", "server", session.Server.Url);
        var friend = await session.Server.RegisterAsync("early");
        var dm = await friend.OpenDmAsync(user.Id);

        // What the autostart entry runs at login.
        await using var host = await DesktopHost.StartAsync(session, "--server", session.Server.Url, "--hidden");
        await host.WaitUntilSaidAsync(HiddenClient, 1);
        Assert.Empty(await host.WindowPagesAsync());

        var shown = await session.ShownNotificationsAsync();
        await friend.SendMessageAsync(dm, "good morning, early bird");
        await DesktopSession.WaitUntilAsync(async () => await session.ShownNotificationsAsync() == shown + 1, "the notification with no window");
        await session.RunAsync("dunstctl", "close-all");

        var (tray, _) = await TrayAsync(session);
        await tray.ActivateAsync(0, 0);
        await using var page = await host.PageAsync(session.Server.Url);
        await page.WaitForAsync("document.querySelector('nav[aria-label=\"Servers\"]')", "the signed-in window the tray opened");
        await host.WaitUntilSaidAsync(WindowClient, 1);
    }
}
