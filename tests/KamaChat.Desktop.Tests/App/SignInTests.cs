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
    public async Task Quitting_and_starting_again_keeps_you_signed_in_from_the_keyring_with_the_window_and_zoom_as_they_were()
    {
        var app = await SignedInApp.StartAsync(session);
        var moved = new { left = 60, top = 40, width = 1000, height = 700 };
        await MoveWindowAsync(app.Page, moved.left, moved.top, moved.width, moved.height);
        // The app notices the move on its own (it polls the window every 2 s) and writes it down.
        await DesktopSession.WaitUntilAsync(() => Task.FromResult(File.Exists(app.Host.ConfigFile)
            && JsonDocument.Parse(File.ReadAllText(app.Host.ConfigFile)).RootElement.TryGetProperty("window", out var w)
            && w.GetProperty("left").GetInt32() == moved.left && w.GetProperty("width").GetInt32() == moved.width), "the window's new bounds in config.json");
        // The person zooms in with the keyboard, as in any browser window.
        await PressInWindowAsync("ctrl+equal");
        await app.Page.WaitForAsync("window.devicePixelRatio > 1.05", "the zoomed page");
        var zoom = (await app.Page.EvaluateAsync("window.devicePixelRatio")).GetDouble();

        await app.ClickTrayMenuAsync("Quit KamaChat");
        await app.Host.WaitForExitAsync(TimeSpan.FromSeconds(20));
        await app.DisposeAsync();

        // The session lives in the keyring (Secret Service), read here with the desktop's own tool ...
        var stored = JsonDocument.Parse(await session.RunAsync("secret-tool", "lookup", "application", "kamachat-desktop", "server", session.Server.Url)).RootElement;
        var refreshToken = stored.GetProperty("refreshToken").GetString()!;
        Assert.Equal(app.User.Id, stored.GetProperty("userId").GetString());
        // ... and nowhere in the browser profile's files.
        AssertNotInProfile(app.Host.ProfileDirectory, refreshToken);

        await using var again = await SignedInApp.StartAsync(session, signIn: false);
        await again.Page.WaitForAsync("document.querySelector('nav[aria-label=\"Servers\"]')", "the signed-in app without a login");
        Assert.NotEqual("/login", await again.Page.TextAsync("location.pathname"));
        Assert.Equal((moved.left, moved.top, moved.width, moved.height), await BoundsAsync(again.Page));
        Assert.Equal(zoom, (await again.Page.EvaluateAsync("window.devicePixelRatio")).GetDouble());
        // Not in the page's localStorage either: no entry holds the session's refresh token.
        Assert.Equal("false", await again.Page.TextAsync(
            $"String(Object.keys(localStorage).some((key) => (localStorage.getItem(key) ?? '').includes({SignedInApp.Js(refreshToken[..16])})))"));
        Assert.Equal("null", await again.Page.TextAsync("String(localStorage.getItem('kamachat.auth'))"));

        await PressInWindowAsync("ctrl+0");
        await again.Page.WaitForAsync("window.devicePixelRatio === 1", "the zoom back to 100%");
    }

    private static void AssertNotInProfile(string profile, string secret)
    {
        foreach (var file in Directory.EnumerateFiles(profile, "*", SearchOption.AllDirectories))
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(file);
            }
            catch (IOException)
            {
                continue; // a socket
            }
            Assert.False(System.Text.Encoding.UTF8.GetString(bytes).Contains(secret, StringComparison.Ordinal), $"{file} holds the refresh token.");
        }
    }

    /// <summary>Keys pressed on the keyboard while the app window has the focus (the X server's test extension).</summary>
    private async Task PressInWindowAsync(string keys)
    {
        var window = (await session.RunAsync("xdotool", "search", "--onlyvisible", "--class", "KamaChat")).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        await session.RunAsync("xdotool", "windowfocus", "--sync", window);
        await session.RunAsync("xdotool", "key", keys);
    }

    private static async Task MoveWindowAsync(PageDriver page, int left, int top, int width, int height) =>
        await page.SendAsync("Browser.setWindowBounds", new { windowId = await WindowIdAsync(page), bounds = new { left, top, width, height } });

    private static async Task<int> WindowIdAsync(PageDriver page) => (await page.SendAsync("Browser.getWindowForTarget")).GetProperty("windowId").GetInt32();

    private static async Task<(int, int, int, int)> BoundsAsync(PageDriver page)
    {
        var bounds = (await page.SendAsync("Browser.getWindowForTarget")).GetProperty("bounds");
        return (bounds.GetProperty("left").GetInt32(), bounds.GetProperty("top").GetInt32(), bounds.GetProperty("width").GetInt32(), bounds.GetProperty("height").GetInt32());
    }
}
