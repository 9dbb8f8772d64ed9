using System.Collections.Concurrent;
using KamaChat.Desktop.Tests.Infrastructure;
using static KamaChat.Desktop.Tests.Infrastructure.SignedInApp;

namespace KamaChat.Desktop.Tests.App;

[Collection(DesktopCollection.Name)]
public sealed class ResumeTests(DesktopSession session)
{
    [Fact(Timeout = 240_000)]
    public async Task A_network_change_reconnects_the_gateway_at_once_and_after_sleep_the_client_is_connected_again()
    {
        await using var app = await StartAsync(session);
        await app.WaitForClientAsync(WindowClient);
        var sockets = new ConcurrentQueue<string>();
        app.Page.EventReceived += e =>
        {
            if (e.Method == "Network.webSocketCreated" && e.Params.GetProperty("url").GetString()!.Contains("/hubs/gateway", StringComparison.Ordinal))
                sockets.Enqueue(e.Params.GetProperty("url").GetString()!);
        };
        await app.Page.SendAsync("Network.enable");

        // NetworkManager on the session's system bus: the network went and came back. The socket from before may be
        // dead without knowing it; the client does not wait for its 30 s timeout, it connects again now.
        session.Network.Reconnect();
        await DesktopSession.WaitUntilAsync(() => Task.FromResult(!sockets.IsEmpty), "a new gateway connection after the network change", TimeSpan.FromSeconds(10));

        // logind: the machine slept and woke. Chromium drops its connections on suspend (the test's DevTools
        // connection to the page too), the app tells the client to reconnect, and it is connected again.
        session.Login.SleepAndWake();
        await app.Host.WaitUntilSaidAsync("resumed (sleep)", 1);
        await app.ReconnectToPageAsync();
        var friend = await session.Server.RegisterAsync("morning");
        var dm = await friend.OpenDmAsync(app.User.Id);
        await friend.SendMessageAsync(dm, "good morning");
        await app.Page.WaitForAsync($"document.querySelector('a[href=\"/channels/@me/{dm}\"]')", "the new DM in the list, live");
    }
}
