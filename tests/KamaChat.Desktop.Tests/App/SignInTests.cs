using System.Text.Json;
using KamaChat.Desktop.Tests.Infrastructure;

namespace KamaChat.Desktop.Tests.App;

[Collection(DesktopCollection.Name)]
public sealed class SignInTests(DesktopSession session)
{
    [Fact(Timeout = 240_000)]
    public async Task The_app_signs_in_and_shows_the_channel()
    {
        var user = await session.UserAsync();
        var (serverId, channelId) = await user.CreateServerAsync("Desktop HQ");
        await user.SendAsync(channelId, "Hello from the desktop test");

        await using var app = await SignedInApp.StartAsync(session);
        await app.Page.ClickAsync($"nav[aria-label=\"Servers\"] a[href=\"/servers/{serverId}\"]");
        await app.Page.WaitForTextAsync("Hello from the desktop test");

        Assert.StartsWith($"/servers/{serverId}", await app.Page.TextAsync("location.pathname"));
        Assert.Equal("object", await app.Page.TextAsync("typeof kamachatDesktop"));
        await app.Page.ScreenshotAsync(Path.Combine(DesktopSession.ScreenshotDirectory, "desktop-channel.png"));
    }

    [Fact(Timeout = 240_000)]
    public async Task Quitting_from_the_tray_and_starting_again_keeps_you_signed_in_and_the_window_where_it_was()
    {
        var app = await SignedInApp.StartAsync(session);
        var moved = new { left = 60, top = 40, width = 1000, height = 700 };
        await MoveWindowAsync(app.Page, moved.left, moved.top, moved.width, moved.height);
        // The app notices the move on its own (it polls the window every 2 s) and writes it down.
        await DesktopSession.WaitUntilAsync(() => Task.FromResult(File.Exists(app.Host.ConfigFile)
            && JsonDocument.Parse(File.ReadAllText(app.Host.ConfigFile)).RootElement.TryGetProperty("window", out var w)
            && w.GetProperty("left").GetInt32() == moved.left && w.GetProperty("width").GetInt32() == moved.width), "the window's new bounds in config.json");

        await app.ClickTrayMenuAsync("Quit KamaChat");
        await app.Host.WaitForExitAsync(TimeSpan.FromSeconds(20));
        await app.DisposeAsync();

        await using var again = await SignedInAppWithoutSigningIn(session);
        await again.Page.WaitForAsync("document.querySelector('nav[aria-label=\"Servers\"]')", "the signed-in app without a login");
        Assert.NotEqual("/login", await again.Page.TextAsync("location.pathname"));
        var bounds = await BoundsAsync(again.Page);
        Assert.Equal((moved.left, moved.top, moved.width, moved.height), bounds);
    }

    /// <summary>Starts the app and connects to its page, but does not sign in: the test checks it is not asked to.</summary>
    private static async Task<SignedInApp> SignedInAppWithoutSigningIn(DesktopSession session) => await SignedInApp.StartAsync(session, signIn: false);

    private static async Task MoveWindowAsync(PageDriver page, int left, int top, int width, int height) =>
        await page.SendAsync("Browser.setWindowBounds", new { windowId = await WindowIdAsync(page), bounds = new { left, top, width, height } });

    private static async Task<int> WindowIdAsync(PageDriver page) => (await page.SendAsync("Browser.getWindowForTarget")).GetProperty("windowId").GetInt32();

    private static async Task<(int, int, int, int)> BoundsAsync(PageDriver page)
    {
        var bounds = (await page.SendAsync("Browser.getWindowForTarget")).GetProperty("bounds");
        return (bounds.GetProperty("left").GetInt32(), bounds.GetProperty("top").GetInt32(), bounds.GetProperty("width").GetInt32(), bounds.GetProperty("height").GetInt32());
    }
}
