using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace KamaChat.Desktop.Tests.Infrastructure;

/// <summary>
/// The other person in a call: the web client in a plain headless Chromium of its own (own profile, a fake
/// microphone and camera, media allowed without a prompt), driven over its DevTools port like the app's window.
/// </summary>
public sealed class PlainChromium : IAsyncDisposable
{
    private readonly Process _process;

    private PlainChromium(Process process, PageDriver page)
    {
        _process = process;
        Page = page;
    }

    public PageDriver Page { get; }

    /// <summary>Starts it signed in as <paramref name="user"/> (the session the web client keeps in localStorage) at <paramref name="path"/>.</summary>
    public static async Task<PlainChromium> StartAsync(DesktopSession session, ApiUser user, string path)
    {
        var profile = Directory.CreateDirectory(Path.Combine(session.Root, $"chromium-{Guid.NewGuid():N}")).FullName;
        string[] arguments =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync",
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required",
            // Its pop-ups stay inside it: the daemon counts only the app's.
            "--disable-features=NativeNotifications",
            $"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank",
        ];
        var process = session.Start(KamaChat.Desktop.Browser.Chromium.Find(null) ?? throw new InvalidOperationException("No Chromium to call from."), arguments);
        var portFile = Path.Combine(profile, "DevToolsActivePort");
        await DesktopSession.WaitUntilAsync(() => Task.FromResult(File.Exists(portFile) && File.ReadAllLines(portFile).Length >= 2), "the other person's Chromium");
        var port = File.ReadAllLines(portFile)[0].Trim();
        using var http = new HttpClient();
        var targets = await http.GetFromJsonAsync<JsonElement>(new Uri($"http://127.0.0.1:{port}/json/list"));
        var target = targets.EnumerateArray().First(t => t.GetProperty("type").GetString() == "page");
        var page = await PageDriver.ConnectAsync(new Uri(target.GetProperty("webSocketDebuggerUrl").GetString()!), target.GetProperty("id").GetString()!);
        var browser = new PlainChromium(process, page);
        // A page of the server's origin that is not the client, so the session is in place before the client starts.
        await page.SendAsync("Page.navigate", new { url = session.Server.Url + "/healthz" });
        await page.WaitForAsync($"location.origin === {JsonSerializer.Serialize(session.Server.Url)}", "the server's origin");
        var stored = await session.Server.StoredSessionAsync(user);
        await page.EvaluateAsync($"localStorage.setItem('kamachat.auth', {JsonSerializer.Serialize(stored)})");
        await page.SendAsync("Page.navigate", new { url = session.Server.Url + path });
        await page.WaitForAsync("document.querySelector('nav[aria-label=\"Servers\"]')", "the other person's signed-in app");
        return browser;
    }

    public async ValueTask DisposeAsync()
    {
        await Page.DisposeAsync();
        // SIGTERM to its watchdog stops the browser's whole process group.
        Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit(2000);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        _process.Dispose();
    }
}
