using KamaChat.Desktop.Tests.Infrastructure;
using static KamaChat.Desktop.Tests.Infrastructure.SignedInApp;

namespace KamaChat.Desktop.Tests.App;

[Collection(DesktopCollection.Name)]
public sealed class PushToTalkTests(DesktopSession session)
{
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
