using System.Net.Http.Json;
using System.Text.Json;
using KamaChat.Desktop.Tests.Infrastructure;
using static KamaChat.Desktop.Tests.Infrastructure.SignedInApp;

namespace KamaChat.Desktop.Tests.App;

/// <summary>
/// Calls through the desktop app, with the app in the tray (its window closed, the client running in the hidden page):
/// a ringing call is an urgent native notification with Accept and Decline, withdrawn once the call stops ringing;
/// Accept opens the window, whose client takes the call, and both sides hear each other (decoded audio, read from
/// the PeerConnection's stats). The microphone is Chromium's fake device; the permission is the app's own grant for
/// the server, with no prompt-suppressing switch.
/// </summary>
[Collection(DesktopCollection.Name)]
public sealed class CallTests(DesktopSession session)
{
    private const string FakeMicrophone = "--chromium-arg=--use-fake-device-for-media-stream";

    [Fact(Timeout = 240_000)]
    public async Task A_ringing_call_is_an_urgent_notification_withdrawn_when_the_ring_stops_declined_from_it_or_opened_at_the_ringing_card()
    {
        await session.RunAsync("dunstctl", "close-all");
        await using var app = await StartAsync(session);
        var caller = await session.Server.RegisterAsync("ringer");
        var dm = await caller.OpenDmAsync(app.User.Id);
        await InTrayAsync(app);
        await using var callerClient = await GatewayWatcher.ConnectAsync(session.Server, caller);
        var shown = await session.ShownNotificationsAsync();
        var recorded = session.RecordedNotifications().Count;

        // It rings, and the caller gives up: the notification goes with the ring.
        await callerClient.InvokeAsync("StartCall", dm);
        await WaitForNotificationsAsync(shown + 1, "the incoming call's notification");
        Assert.Equal(("CRITICAL", "call.incoming", $"{caller.Username} is calling"), session.RecordedNotifications()[recorded]);
        await callerClient.InvokeAsync("LeaveCall", dm);
        await WaitForNotificationsAsync(shown, "the notification withdrawn once the caller gave up");
        await WaitForMissedCallsAsync(caller, dm, 1);

        // It rings again, and the person declines with the notification's button: the call ends at once (long before
        // the ring would time out), with a missed-call line, and no window opens for it.
        await callerClient.InvokeAsync("StartCall", dm);
        await WaitForNotificationsAsync(shown + 1, "the second call's notification");
        await session.ChooseNotificationButtonAsync("Decline");
        await WaitForMissedCallsAsync(caller, dm, 2);
        await WaitForNotificationsAsync(shown, "the declined call's notification to go");
        Assert.DoesNotContain(await app.Host.WindowPagesAsync(), page => page.Url.StartsWith(session.Server.Url, StringComparison.Ordinal));

        // A third ring, and a click on the notification's body: the window opens at the conversation with the
        // ringing card, where the call is declined; every notification of it is gone.
        var windows = app.Host.Said(WindowClient);
        await callerClient.InvokeAsync("StartCall", dm);
        await WaitForNotificationsAsync(shown + 1, "the third call's notification");
        await session.RunAsync("dunstctl", "action", "0");
        await app.WaitForClientAsync(WindowClient, windows + 1);
        await app.ReattachAsync();
        await app.Page.WaitForAsync($"location.pathname === '/channels/@me/{dm}'", "the conversation in the window");
        await app.Page.WaitForAsync("document.querySelector('[role=dialog][aria-labelledby=incoming-call-title]')", "the ringing card");
        await app.Page.ClickButtonAsync("Decline");
        await WaitForMissedCallsAsync(caller, dm, 3);
        await WaitForNotificationsAsync(shown, "no notification left of the declined call");
    }

    [Fact(Timeout = 240_000)]
    public async Task Two_people_hold_a_call_through_the_desktop_app_answered_from_its_notification_and_hear_each_other()
    {
        await session.RunAsync("dunstctl", "close-all");
        await using var app = await StartAsync(session, true, FakeMicrophone);
        var caller = await session.Server.RegisterAsync("caller");
        var dm = await caller.OpenDmAsync(app.User.Id);
        await InTrayAsync(app);
        await using var other = await PlainChromium.StartAsync(session, caller, $"/channels/@me/{dm}");
        var shown = await session.ShownNotificationsAsync();
        var windows = app.Host.Said(WindowClient);

        await other.Page.ClickButtonAsync("Start call");
        await WaitForNotificationsAsync(shown + 1, "the incoming call's notification");
        await session.ChooseNotificationButtonAsync("Accept");

        // Accept opens the window at the conversation, and its client takes the call.
        await app.WaitForClientAsync(WindowClient, windows + 1);
        await app.ReattachAsync();
        await app.Page.WaitForAsync($"location.pathname === '/channels/@me/{dm}'", "the conversation in the window");
        foreach (var page in new[] { app.Page, other.Page })
            await page.WaitForAsync("document.querySelector('section[aria-label=\"Call\"]')?.innerText.includes('In call')", "the call connected");
        await WaitForNotificationsAsync(shown, "the answered call's notification to go");

        await ExpectHearingAsync(app.Page, "the desktop app");
        await ExpectHearingAsync(other.Page, "the other person's browser");
        await app.Page.ScreenshotAsync(Path.Combine(DesktopSession.ScreenshotDirectory, "desktop-call.png"));

        // The other person hangs up: the call ends on both sides and leaves its length in the conversation.
        await other.Page.ClickButtonAsync("Hang up");
        foreach (var page in new[] { app.Page, other.Page })
        {
            await page.WaitForAsync("!document.querySelector('section[aria-label=\"Call\"]')", "the call bar gone");
            await page.WaitForTextAsync("started a call that lasted");
        }
        Assert.Equal(0, (await app.Page.EvaluateAsync("document.querySelectorAll('audio[data-call-user]').length")).GetInt32());
    }

    /// <summary>Closes the window: the app goes on in the tray, its client in the hidden page.</summary>
    private static async Task InTrayAsync(SignedInApp app)
    {
        await app.WaitForClientAsync(WindowClient);
        var hidden = app.Host.Said(HiddenClient);
        await app.CloseWindowAsync();
        await app.WaitForClientAsync(HiddenClient, hidden + 1);
    }

    private Task WaitForNotificationsAsync(int count, string what) =>
        DesktopSession.WaitUntilAsync(async () => await session.ShownNotificationsAsync() == count, what);

    private static Task WaitForMissedCallsAsync(ApiUser user, string dm, int count) => DesktopSession.WaitUntilAsync(async () =>
    {
        var messages = await user.Http.GetFromJsonAsync<JsonElement>(new Uri($"/api/v1/channels/{dm}/messages", UriKind.Relative));
        return messages.EnumerateArray().Count(m => m.TryGetProperty("kind", out var kind) && kind.GetString() == "callMissed") == count;
    }, $"{count} missed-call line(s)", TimeSpan.FromSeconds(10));

    /// <summary>
    /// The page's call decodes the other side's audio: the inbound audio's bytes and decoded energy grow (the
    /// fake microphone's tone), read from each PeerConnection's getStats().
    /// </summary>
    private static async Task ExpectHearingAsync(PageDriver page, string who)
    {
        const string received = """
            (async () => {
              const totals = { bytes: 0, energy: 0 };
              for (const report of Object.values((await window.kamachatCall?.peerStats()) ?? {}))
                report.forEach((s) => {
                  if (s.type === 'inbound-rtp' && s.kind === 'audio') {
                    totals.bytes += s.bytesReceived ?? 0;
                    totals.energy += s.totalAudioEnergy ?? 0;
                  }
                });
              return totals;
            })()
            """;
        var before = await page.EvaluateAsync(received);
        await DesktopSession.WaitUntilAsync(async () =>
        {
            var now = await page.EvaluateAsync(received);
            return now.GetProperty("bytes").GetDouble() > before.GetProperty("bytes").GetDouble()
                && now.GetProperty("energy").GetDouble() > before.GetProperty("energy").GetDouble();
        }, $"{who} to decode the other side's audio", TimeSpan.FromSeconds(15));
    }
}
