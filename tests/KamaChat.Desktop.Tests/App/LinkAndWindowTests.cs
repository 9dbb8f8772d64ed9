using KamaChat.Desktop.Tests.Infrastructure;
using static KamaChat.Desktop.Tests.Infrastructure.SignedInApp;

namespace KamaChat.Desktop.Tests.App;

[Collection(DesktopCollection.Name)]
public sealed class LinkAndWindowTests(DesktopSession session)
{
    [Fact(Timeout = 240_000)]
    public async Task Xdg_open_of_a_kamachat_invite_link_joins_the_server_in_the_running_app()
    {
        await using var app = await StartAsync(session);
        var owner = await session.Server.RegisterAsync("owner");
        var (serverId, _) = await owner.CreateServerAsync("Linked Guild");
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
        Assert.False(app.Host.HasExited);
    }

    [Fact(Timeout = 240_000)]
    public async Task Closing_the_window_keeps_the_app_in_the_tray_and_the_tray_or_a_second_launch_opens_it_again()
    {
        await using var app = await StartAsync(session);
        var (tray, _) = await app.TrayAsync();

        var port = app.Host.ForgetBrowser();
        await app.Page.SendAsync("Page.close");
        // The browser is gone with its last window; the app is not: it still answers as the tray item.
        await DesktopHost.WaitForBrowserGoneAsync(port);
        Assert.False(app.Host.HasExited);
        Assert.Equal("kamachat", await tray.GetAsync<string>("Id"));

        await tray.ActivateAsync(0, 0);
        await app.ReattachAsync();
        await app.SignInIfAskedAsync();

        port = app.Host.ForgetBrowser();
        await app.Page.SendAsync("Page.close");
        await DesktopHost.WaitForBrowserGoneAsync(port);
        await session.RunAsync(DesktopHost.Executable);
        await app.ReattachAsync();
        await app.Page.WaitForAsync("document.querySelector('nav[aria-label=\"Servers\"]')", "the window a second launch reopened, still signed in");
    }
}
