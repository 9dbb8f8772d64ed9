using KamaChat.Desktop.Browser;
using KamaChat.Desktop.Config;
using KamaChat.Desktop.Input;
using KamaChat.Desktop.Integration;
using KamaChat.Desktop.Keyring;
using KamaChat.Desktop.Notifications;
using KamaChat.Desktop.Servers;
using KamaChat.Desktop.Tray;
using Tmds.DBus;

namespace KamaChat.Desktop;

/// <summary>
/// The running app: the browser with its window (shown and closed at will) and its hidden page, the tray icon and
/// menu, notifications, the keyring, push-to-talk. Closing the window keeps the app, and the client, running in the
/// tray; Quit ends it.
/// </summary>
public sealed partial class DesktopApp : IAsyncDisposable
{
    /// <summary>How long the hidden page keeps running after the window opens, at most, if the window's client never says it is up.</summary>
    private static readonly TimeSpan HandOverLimit = TimeSpan.FromSeconds(30);

    private readonly DesktopPaths _paths;
    private readonly ConfigStore _config;
    private readonly Connection _bus;
    private readonly string _browserPath;
    private readonly IReadOnlyList<string> _chromiumArguments;
    private readonly TaskCompletionSource _quit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _browserLock = new(1, 1);
    private readonly StatusNotifierItem _trayItem;
    private readonly DBusMenu _trayMenu;
    private readonly SecretService _keyring;
    private DesktopNotifications? _notifications;
    private X11PushToTalk? _pushToTalk;
    private AppBrowser? _browser;
    private bool _trayShown;
    // What the client last reported (the server's state): the tray menu shows it.
    private string _status = "online";
    private bool _notificationsMuted;
    private UnreadState _unread = UnreadState.None;
    // The pages whose client has reported since it (re)started (see ClientUpAsync).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<PageRole, bool> _clientsUp = new();
    // Which page showed each notification on screen: its buttons are answered there.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<uint, NotificationOwner> _notificationOwners = new();

    /// <summary>The page that showed a notification, and whether it is urgent (a ringing call: it means nothing once that page is gone).</summary>
    private sealed record NotificationOwner(PageRole Page, bool Urgent);

    public DesktopApp(DesktopPaths paths, ConfigStore config, Connection bus, string browserPath, IReadOnlyList<string> chromiumArguments)
    {
        _paths = paths;
        _config = config;
        _bus = bus;
        _browserPath = browserPath;
        _chromiumArguments = chromiumArguments;
        _keyring = new SecretService(bus);
        _trayItem = new StatusNotifierItem(() => Background(ShowAsync(null)));
        _trayMenu = new DBusMenu(MenuItems, OnMenuClicked);
    }

    public Task Quitting => _quit.Task;

    public async Task StartAsync(CommandLine command)
    {
        _notifications = await DesktopNotifications.ConnectAsync(_bus, "kamachat");
        _notifications.Clicked += (id, request, action) => Background(OnNotificationClickedAsync(id, request, action));
        _notifications.Closed += id =>
        {
            _notificationOwners.TryRemove(id, out _);
            Background(SendEventAsync("notificationclose", new { id }));
        };
        _trayItem.Show(Look(_unread));
        _trayShown = await TrayRegistration.RegisterAsync(_bus, _trayItem, _trayMenu);
        _pushToTalk = X11PushToTalk.TryCreate(pressed => Background(SendEventAsync("push-to-talk", new { pressed }, PageRole.Window)));
        if (_config.Current.PushToTalkKey is { } key && _pushToTalk is not null && KeyCombination.Parse(key) is { } combination)
            await _pushToTalk.SetKeyAsync(combination);
        await ApplyAsync(command, startup: true);
    }

    /// <summary>Carries out a launch's request: ours at start, or a later launch's handed over by <see cref="Instance.SingleInstance"/>.</summary>
    public async Task ApplyAsync(CommandLine command, bool startup = false)
    {
        if (command.Server is { } server)
        {
            var origin = ServerAddress.Normalize(server);
            if (origin is null)
                await Console.Error.WriteLineAsync($"kamachat-desktop: not a server address: {server}");
            else
                _config.Update(config => config.WithServer(origin));
            _trayMenu.Invalidate();
        }
        if (command.PushToTalk is { } pushToTalk)
            await SetPushToTalkKeyAsync(pushToTalk is "none" or "" ? null : pushToTalk);
        if (command.Autostart is { } autostart)
        {
            DesktopEntry.SetAutostart(_paths, Environment.ProcessPath!, autostart);
            _trayMenu.Invalidate();
        }
        var path = command.Link is { } link ? DeepLink.ToPath(link) : null;
        if (command.Link is not null && path is null)
            await Console.Error.WriteLineAsync($"kamachat-desktop: not a KamaChat link: {command.Link}");
        if (startup && command.Hidden)
        {
            // In the tray from the start (autostart): the client runs in the hidden page until the window is opened.
            await StartInTrayAsync();
            return;
        }
        if (command.Server is not null)
            await ShowServerAsync();
        else
            await ShowAsync(path);
    }

    /// <summary>Shows the window (opening it if closed), at <paramref name="path"/> of the current server when given.</summary>
    public Task ShowAsync(string? path) => ShowAsync(
        async browser =>
        {
            if (path is not null)
                await browser.SendEventAsync(PageRole.Window, "navigate", new { path });
        },
        StartUrl(path));

    /// <summary>Shows the current server's start page, replacing whatever the window showed (a server switch).</summary>
    private Task ShowServerAsync() => ShowAsync(async browser =>
    {
        await AllowCallsAsync(browser);
        await browser.NavigateWindowAsync(StartUrl(null));
    }, StartUrl(null));

    /// <summary>
    /// The current server may use the microphone and camera without asking: the user chose to run this server's client
    /// as an app. Only that origin; a page elsewhere (a link followed off the server) still gets Chromium's prompt.
    /// </summary>
    private async Task AllowCallsAsync(AppBrowser browser)
    {
        if (_config.Current.CurrentServer is { } server)
            await browser.GrantMediaAsync(server);
    }

    /// <summary>Does <paramref name="inOpenWindow"/> in the open window and raises it, or opens a window at <paramref name="url"/>.</summary>
    private async Task ShowAsync(Func<AppBrowser, Task> inOpenWindow, string url)
    {
        await _browserLock.WaitAsync();
        try
        {
            if (_browser is { } running && !running.Exited.IsCompleted)
            {
                if (running.WindowOpen)
                {
                    try
                    {
                        await inOpenWindow(running);
                        await running.BringToFrontAsync();
                        return;
                    }
                    catch (CdpException)
                    {
                        // The window was closing as we spoke to it: open a new one.
                    }
                }
                await running.OpenWindowAsync(url, _config.Current.Window, CancellationToken.None);
            }
            else
            {
                if (_browser is not null)
                    await _browser.DisposeAsync();
                _browser = await LaunchAsync(url);
            }
            await Console.Error.WriteLineAsync($"kamachat-desktop: window open (browser {_browser!.ProcessId})");
            // Made while the window is there (Chromium makes a hidden page only while another page exists).
            await _browser.EnsureBackgroundAsync();
            Background(TrackWindowAsync(_browser));
        }
        finally
        {
            _browserLock.Release();
        }
    }

    private async Task<AppBrowser> LaunchAsync(string? windowUrl)
    {
        var options = new LaunchOptions(_browserPath, windowUrl, _paths.ProfileDirectory, _paths.LogFile)
        {
            Bounds = _config.Current.Window,
            ExtraArguments = _chromiumArguments,
        };
        var browser = await AppBrowser.LaunchAsync(options, this, CancellationToken.None);
        Background(WatchBrowserAsync(browser));
        await AllowCallsAsync(browser);
        return browser;
    }

    private async Task StartInTrayAsync()
    {
        if (_config.Current.CurrentServer is null)
            return; // Nothing to run before the first run's question is answered.
        await _browserLock.WaitAsync();
        try
        {
            _browser ??= await LaunchAsync(null);
            await RunInBackgroundAsync(_browser);
        }
        finally
        {
            _browserLock.Release();
        }
    }

    /// <summary>The client goes on in the hidden page (the window is closed, or was never opened).</summary>
    private Task RunInBackgroundAsync(AppBrowser browser)
    {
        _clientsUp.TryRemove(PageRole.Background, out _);
        return browser.SetBackgroundAsync(StartUrl(null));
    }

    private string StartUrl(string? path) =>
        _config.Current.CurrentServer is { } server ? server + (path ?? "/") : SetupPage.Url(_paths);

    /// <summary>
    /// While the window is open: remembers where the user puts it, and hands the client over from the hidden page.
    /// Once it closes: the hidden page takes the client over again (or, without a tray to come back from, the app quits).
    /// </summary>
    private async Task TrackWindowAsync(AppBrowser browser)
    {
        var closed = browser.WindowClosed;
        var processId = browser.ProcessId;
        _clientsUp.TryRemove(PageRole.Window, out _);
        _windowClientUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Background(ParkBackgroundWhenWindowIsUpAsync(browser, _windowClientUp.Task, closed));
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        while (await Task.WhenAny(closed, timer.WaitForNextTickAsync().AsTask()) != closed)
        {
            try
            {
                if (await browser.GetBoundsAsync() is { } bounds && bounds != _config.Current.Window)
                    _config.Update(config => config with { Window = bounds });
            }
            catch (Exception e) when (e is CdpException or CdpClosedException or ObjectDisposedException)
            {
                // Closing, or the app quitting.
            }
        }
        await Console.Error.WriteLineAsync($"kamachat-desktop: window closed (browser {processId})");
        await CloseUrgentNotificationsAsync(PageRole.Window);
        // Without a tray to come back from, a closed window would leave an invisible app: quit instead.
        if (!_trayShown)
        {
            Quit();
            return;
        }
        await _browserLock.WaitAsync();
        try
        {
            if (_browser == browser && !browser.WindowOpen && !browser.Exited.IsCompleted && _config.Current.CurrentServer is not null)
                await RunInBackgroundAsync(browser);
        }
        finally
        {
            _browserLock.Release();
        }
    }

    private TaskCompletionSource _windowClientUp = new();

    /// <summary>The hidden page stops once the window's client is connected (it says so), so the two overlap instead of leaving a gap.</summary>
    private async Task ParkBackgroundWhenWindowIsUpAsync(AppBrowser browser, Task windowClientUp, Task windowClosed)
    {
        if (!browser.BackgroundRunning)
            return;
        await Task.WhenAny(windowClientUp, windowClosed, Task.Delay(HandOverLimit));
        await _browserLock.WaitAsync();
        try
        {
            if (browser.WindowOpen && !windowClosed.IsCompleted)
            {
                _clientsUp.TryRemove(PageRole.Background, out _);
                await browser.SetBackgroundAsync(null);
                await CloseUrgentNotificationsAsync(PageRole.Background);
            }
        }
        finally
        {
            _browserLock.Release();
        }
    }

    /// <summary>The browser went away on its own (crashed, killed): without it there is nothing to show; the tray stays.</summary>
    private async Task WatchBrowserAsync(AppBrowser browser)
    {
        await browser.Exited;
        if (_browser == browser && !_quit.Task.IsCompleted)
            await Console.Error.WriteLineAsync("kamachat-desktop: the browser exited; the tray opens it again");
    }

    /// <summary>
    /// A clicked notification: the window hears of it (and opens the conversation); a closed window opens there. A
    /// button that opens the window (Accept) is told to the window's client once it is connected, so it can act on it;
    /// a background button (Decline) is told to the page that showed the notification, and no window opens.
    /// </summary>
    private async Task OnNotificationClickedAsync(uint id, NotificationRequest request, NotificationAction? action)
    {
        var path = request.Path;
        if (action is null)
        {
            await ShowAsync(browser => browser.SendEventAsync(PageRole.Window, "notificationclick", new { id, path }), StartUrl(path));
            return;
        }
        var detail = new { id, path, tag = request.Tag, action = action.Key };
        if (action.Background)
        {
            if (_notificationOwners.TryGetValue(id, out var owner))
                await SendEventAsync("notificationclick", detail, owner.Page);
            return;
        }
        await ShowAsync(_ => Task.CompletedTask, StartUrl(path));
        if (_browser is not { } browser)
            return;
        await Task.WhenAny(_windowClientUp.Task, browser.WindowClosed, Task.Delay(HandOverLimit));
        await browser.SendEventAsync(PageRole.Window, "notificationclick", detail);
    }

    /// <summary>Withdraws the urgent notifications (ringing calls) a page showed, now that it no longer runs the client to withdraw them.</summary>
    private async Task CloseUrgentNotificationsAsync(PageRole page)
    {
        foreach (var (id, owner) in _notificationOwners)
        {
            if (owner.Page != page || !owner.Urgent || _notifications is null)
                continue;
            try
            {
                await _notifications.CloseAsync(id);
            }
            catch (DBusException)
            {
                // Already gone.
            }
        }
    }

    /// <summary>Tells the page running the client: the window's when it is open, else the hidden page's.</summary>
    private async Task SendEventAsync(string name, object detail, PageRole? role = null)
    {
        if (_browser is not { } browser)
            return;
        var to = role ?? (browser.WindowOpen ? PageRole.Window : PageRole.Background);
        await browser.SendEventAsync(to, name, detail);
    }

    public void SetUnread(UnreadState state)
    {
        if (state == _unread)
            return;
        _unread = state;
        _trayItem.Show(Look(state));
    }

    private static TrayLook Look(UnreadState state)
    {
        var icon = TrayIcon.Render(state, 16, 22, 24, 32, 48, 64);
        var (title, tooltip) = state switch
        {
            { Mentions: > 0 } => ($"KamaChat ({state.Mentions})", state.Mentions == 1 ? "1 mention or direct message" : $"{state.Mentions} mentions and direct messages"),
            { Unread: > 0 } => ("KamaChat •", "Unread messages"),
            _ => ("KamaChat", "No unread messages"),
        };
        return new TrayLook(title, tooltip, state.Mentions > 0, icon);
    }

    public void Quit() => _quit.TrySetResult();

    /// <summary>Work started by an event (a click, a signal) that nobody awaits: its failure is reported, not lost.</summary>
    private static async void Background(Task work)
    {
        try
        {
            await work;
        }
#pragma warning disable CA1031 // The last stop for an event's work: report whatever it was and keep the app running.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await Console.Error.WriteLineAsync($"kamachat-desktop: {e}");
        }
    }

    /// <summary>The machine woke up or the network came back: the client's gateway should reconnect now.</summary>
    public void NotifyResumed(string reason) => Background(ResumeAsync(reason));

    private async Task ResumeAsync(string reason)
    {
        await Console.Error.WriteLineAsync($"kamachat-desktop: resumed ({reason}): the client reconnects");
        await SendEventAsync("resume", new { reason });
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is { } browser)
            await browser.DisposeAsync();
        _pushToTalk?.Dispose();
        if (_notifications is not null)
            await _notifications.DisposeAsync();
        _browserLock.Dispose();
    }
}
