using System.Text.Json;
using Tmds.DBus;

namespace KamaChat.Desktop.Tests.Infrastructure;

/// <summary>The app started against the session's server and signed in as the session's user, through its login page when needed.</summary>
public sealed class SignedInApp : IAsyncDisposable
{
    private SignedInApp(DesktopSession session, DesktopHost host, PageDriver page, ApiUser user)
    {
        Session = session;
        Host = host;
        Page = page;
        User = user;
    }

    public DesktopSession Session { get; }
    public DesktopHost Host { get; }
    public PageDriver Page { get; private set; }
    public ApiUser User { get; }

    public static async Task<SignedInApp> StartAsync(DesktopSession session, bool signIn = true, params string[] arguments)
    {
        var user = await session.UserAsync();
        var host = await DesktopHost.StartAsync(session, ["--server", session.Server.Url, .. arguments]);
        var page = await host.PageAsync(session.Server.Url);
        var app = new SignedInApp(session, host, page, user);
        if (signIn)
            await app.SignInIfAskedAsync();
        return app;
    }

    /// <summary>Waits for the app to show either its login page (then signs in, typing like a person) or the signed-in shell.</summary>
    public async Task SignInIfAskedAsync()
    {
        await Page.WaitForAsync("location.pathname === '/login' && document.querySelector('input[name=login]') || document.querySelector('nav[aria-label=\"Servers\"]')",
            "the login page or the app");
        if (await Page.TextAsync("location.pathname") == "/login")
        {
            await Page.TypeAsync("input[name=login]", User.Username);
            await Page.TypeAsync("input[name=password]", ApiUser.Password);
            await Page.ClickAsync("button[type=submit]");
        }
        await Page.WaitForAsync("document.querySelector('nav[aria-label=\"Servers\"]')", "the signed-in app");
    }

    public const string WindowClient = "client connected in the window";
    public const string HiddenClient = "client connected in the hidden page";

    /// <summary>
    /// Waits until the client in the window (or the hidden page) has connected to the gateway for the
    /// <paramref name="times"/>th time: from then on, what others send reaches it as events.
    /// </summary>
    public Task WaitForClientAsync(string where, int times = 1) => Host.WaitUntilSaidAsync(where, times);

    /// <summary>The tray's mention count (its title "KamaChat (N)"; 0 without one).</summary>
    public async Task<int> TrayMentionsAsync()
    {
        var (tray, _) = await TrayAsync();
        var title = await tray.GetAsync<string>("Title");
        var open = title.IndexOf('(', StringComparison.Ordinal);
        return open < 0 ? 0 : int.Parse(title[(open + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Connects to the window the app opened again (a new page), after the test saw the old one close.</summary>
    public async Task ReattachAsync()
    {
        var old = Page.TargetId;
        await Page.DisposeAsync();
        Page = await Host.PageAsync(Session.Server.Url, except: old);
    }

    /// <summary>A new DevTools connection to the same window page (the old one was cut, e.g. by the browser's suspend).</summary>
    public async Task ReconnectToPageAsync()
    {
        var target = Page.TargetId;
        await Page.DisposeAsync();
        Page = await Host.PageAsync(Session.Server.Url);
        Assert.Equal(target, Page.TargetId);
    }

    /// <summary>Closes the app window as its user would; the app stays, in the tray.</summary>
    public async Task CloseWindowAsync()
    {
        await Page.SendAsync("Page.close");
        await Host.WaitForWindowClosedAsync(Page.TargetId);
    }

    /// <summary>The tray item the app registered with the session's watcher, read as a panel reads it.</summary>
    public Task<(ITrayItemReader Item, ITrayMenuReader Menu)> TrayAsync() => TrayAsync(Session);

    /// <summary>The tray item of the app that registered last in the session.</summary>
    public static async Task<(ITrayItemReader Item, ITrayMenuReader Menu)> TrayAsync(DesktopSession session)
    {
        await DesktopSession.WaitUntilAsync(() => Task.FromResult(session.Watcher.Registered.Count > 0), "the tray item's registration");
        var name = session.Watcher.Registered.Last();
        var item = session.Bus.CreateProxy<ITrayItemReader>(name, "/StatusNotifierItem");
        var menuPath = await item.GetAsync<ObjectPath>("Menu");
        return (item, session.Bus.CreateProxy<ITrayMenuReader>(name, menuPath));
    }

    /// <summary>Clicks the tray menu entry with this label, as the panel does (com.canonical.dbusmenu Event "clicked").</summary>
    public async Task ClickTrayMenuAsync(string label)
    {
        var (_, menu) = await TrayAsync();
        var (_, layout) = await menu.GetLayoutAsync(0, -1, []);
        var id = FindItem(layout, label) ?? throw new InvalidOperationException($"No tray menu entry \"{label}\".");
        await menu.EventAsync(id, "clicked", "", 0);
    }

    /// <summary>The checkmark or radio state of a tray menu entry.</summary>
    public async Task<bool> TrayMenuCheckedAsync(string label)
    {
        var (_, menu) = await TrayAsync();
        var (_, layout) = await menu.GetLayoutAsync(0, -1, []);
        return FindProperties(layout, label) is { } properties && properties.TryGetValue("toggle-state", out var state) && Convert.ToInt32(state, System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    private static int? FindItem((int, IDictionary<string, object>, object[]) item, string label) =>
        item.Item2.TryGetValue("label", out var text) && (string)text == label
            ? item.Item1
            : item.Item3.Select(child => FindItem(((int, IDictionary<string, object>, object[]))child, label)).FirstOrDefault(found => found is not null);

    private static IDictionary<string, object>? FindProperties((int, IDictionary<string, object>, object[]) item, string label) =>
        item.Item2.TryGetValue("label", out var text) && (string)text == label
            ? item.Item2
            : item.Item3.Select(child => FindProperties(((int, IDictionary<string, object>, object[]))child, label)).FirstOrDefault(found => found is not null);

    public static string Js(string text) => JsonSerializer.Serialize(text);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Page.DisposeAsync();
        }
        finally
        {
            await Host.DisposeAsync();
        }
    }
}
