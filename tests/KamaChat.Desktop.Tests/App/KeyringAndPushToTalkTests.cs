using KamaChat.Desktop.Tests.Infrastructure;
using static KamaChat.Desktop.Tests.Infrastructure.SignedInApp;

namespace KamaChat.Desktop.Tests.App;

[Collection(DesktopCollection.Name)]
public sealed class KeyringAndPushToTalkTests(DesktopSession session)
{
    [Fact(Timeout = 240_000)]
    public async Task The_token_storage_keeps_its_value_in_the_keyring_and_not_in_the_browser_profile()
    {
        await using var app = await StartAsync(session);
        var secret = "refresh-" + Guid.NewGuid().ToString("N");

        await app.Page.EvaluateAsync($"kamachatDesktop.tokenStorage.set({Js(secret)})");

        // Read back with the desktop's own tool, as any keyring client would.
        var stored = await session.RunAsync("secret-tool", "lookup", "application", "kamachat-desktop", "server", session.Server.Url);
        Assert.Equal(secret, stored);
        Assert.Equal(secret, await app.Page.TextAsync("kamachatDesktop.tokenStorage.get()"));
        foreach (var file in Directory.EnumerateFiles(app.Host.ProfileDirectory, "*", SearchOption.AllDirectories))
        {
            byte[] bytes;
            try
            {
                bytes = await File.ReadAllBytesAsync(file);
            }
            catch (IOException)
            {
                continue; // a socket or a file the browser holds exclusively
            }
            Assert.False(System.Text.Encoding.UTF8.GetString(bytes).Contains(secret, StringComparison.Ordinal), $"{file} holds the secret.");
        }

        await app.Page.EvaluateAsync("kamachatDesktop.tokenStorage.clear()");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await app.Page.EvaluateAsync("kamachatDesktop.tokenStorage.get()")).ValueKind);
    }

    [Fact(Timeout = 240_000)]
    public async Task The_push_to_talk_key_reaches_the_page_while_another_window_has_the_focus()
    {
        await using var app = await StartAsync(session);
        var result = await app.Page.EvaluateAsync("kamachatDesktop.pushToTalk.set('F8')");
        Assert.True(result.GetProperty("ok").GetBoolean());
        await app.Page.EvaluateAsync("window.__ptt = []; addEventListener('kamachat-desktop:push-to-talk', (e) => __ptt.push(e.detail.pressed)); 1");

        var other = session.Start("xmessage", ["-geometry", "300x100+700+500", "-name", "other-app", "another application"]);
        try
        {
            string window = "";
            await DesktopSession.WaitUntilAsync(async () =>
            {
                window = (await SearchAsync("other-app")).Trim();
                return window.Length > 0;
            }, "the other application's window");
            await session.RunAsync("xdotool", "windowfocus", "--sync", window);
            Assert.Equal(window, (await session.RunAsync("xdotool", "getwindowfocus")).Trim());

            // Keys from the X server's test extension, as the keyboard would send them to the focused window.
            await session.RunAsync("xdotool", "keydown", "F8");
            await app.Page.WaitForAsync("__ptt.length === 1", "the key press in the page");
            await session.RunAsync("xdotool", "keyup", "F8");
            await app.Page.WaitForAsync("__ptt.length === 2", "the key release in the page");
            Assert.Equal("[true,false]", await app.Page.TextAsync("JSON.stringify(__ptt)"));
            Assert.Equal(window, (await session.RunAsync("xdotool", "getwindowfocus")).Trim());
        }
        finally
        {
            other.Kill(entireProcessTree: true);
        }
        Assert.True((await app.Page.EvaluateAsync("kamachatDesktop.pushToTalk.set(null)")).GetProperty("ok").GetBoolean());
    }

    private async Task<string> SearchAsync(string className)
    {
        try
        {
            return await session.RunAsync("xdotool", "search", "--classname", className);
        }
        catch (InvalidOperationException)
        {
            return ""; // xdotool search exits 1 while nothing matches
        }
    }
}
