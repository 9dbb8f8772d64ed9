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
/// The running app: the window (shown and closed at will), the tray icon and menu, notifications, the keyring,
/// push-to-talk. Closing the window keeps the app in the tray; Quit ends it.
/// </summary>
public sealed partial class DesktopApp : IAsyncDisposable
{
    private readonly DesktopPaths _paths;
    private readonly ConfigStore _config;
    private readonly Connection _bus;
    private readonly string _browser;
    private readonly IReadOnlyList<string> _chromiumArguments;
    private readonly TaskCompletionSource _quit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _windowLock = new(1, 1);
    private readonly StatusNotifierItem _trayItem;
    private readonly DBusMenu _trayMenu;
    private readonly SecretService _keyring;
    private DesktopNotifications? _notifications;
    private X11PushToTalk? _pushToTalk;
    private AppWindow? _window;
    private bool _trayShown;
    private string _status = "online";
    private UnreadState _unread = UnreadState.None;

    public DesktopApp(DesktopPaths paths, ConfigStore config, Connection bus, string browser, IReadOnlyList<string> chromiumArguments)
    {
        _paths = paths;
        _config = config;
        _bus = bus;
        _browser = browser;
        _chromiumArguments = chromiumArguments;
        _keyring = new SecretService(bus);
        _trayItem = new StatusNotifierItem(() => Background(ShowAsync(null)));
        _trayMenu = new DBusMenu(MenuItems, OnMenuClicked);
    }

    public Task Quitting => _quit.Task;

    public async Task StartAsync(CommandLine command)
    {
        _notifications = await DesktopNotifications.ConnectAsync(_bus, "kamachat");
        _notifications.Clicked += (id, path) => Background(OnNotificationClickedAsync(id, path));
        _notifications.Closed += id => Background(SendEventAsync("notificationclose", new { id }));
        _trayItem.Show(Look(_unread));
        _trayShown = await TrayRegistration.RegisterAsync(_bus, _trayItem, _trayMenu);
        _pushToTalk = X11PushToTalk.TryCreate(pressed => Background(SendEventAsync("push-to-talk", new { pressed })));
        if (_config.Current.PushToTalkKey is { } key && _pushToTalk is not null && KeyCombination.Parse(key) is { } combination)
            await _pushToTalk.SetKeyAsync(combination);
        await ApplyAsync(command, startup: true);
    }

    /// <summary>Carries out a launch's request: ours at start, or a later launch's handed over by <see cref="Instance.SingleInstance"/>.</summary>
    public async Task ApplyAsync(CommandLine command, bool startup = false)
    {
        if (command.Server is { } server)
        {
            var origin = Servers.ServerAddress.Normalize(server);
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
            return;
        if (command.Server is not null)
            await ShowServerAsync();
        else
            await ShowAsync(path);
    }

    /// <summary>Shows the window (opening it if closed), at <paramref name="path"/> of the current server when given.</summary>
    public Task ShowAsync(string? path) => ShowAsync(
        async window =>
        {
            if (path is not null)
                await window.SendEventAsync("navigate", new { path });
        },
        StartUrl(path));

    /// <summary>Shows the current server's start page, replacing whatever the window showed (a server switch).</summary>
    private Task ShowServerAsync() => ShowAsync(window => window.NavigateAsync(StartUrl(null)), StartUrl(null));

    /// <summary>Does <paramref name="inOpenWindow"/> in the open window and raises it, or opens a new window at <paramref name="url"/>.</summary>
    private async Task ShowAsync(Func<AppWindow, Task> inOpenWindow, string url)
    {
        await _windowLock.WaitAsync();
        try
        {
            if (_window is { } window && !window.Closed.IsCompleted)
            {
                try
                {
                    await inOpenWindow(window);
                    await window.BringToFrontAsync();
                    return;
                }
                catch (Exception e) when (e is CdpClosedException or CdpException)
                {
                    // The window was closing as we spoke to it: open a new one.
                }
            }
            if (_window is not null)
                await _window.DisposeAsync();
            await OpenWindowAsync(url);
        }
        finally
        {
            _windowLock.Release();
        }
    }

    private string StartUrl(string? path) =>
        _config.Current.CurrentServer is { } server ? server + (path ?? "/") : SetupPage.Url(_paths);

    private async Task OpenWindowAsync(string url)
    {
        var options = new LaunchOptions(_browser, url, _paths.ProfileDirectory, _paths.LogFile)
        {
            Bounds = _config.Current.Window,
            ExtraArguments = _chromiumArguments,
        };
        var window = await AppWindow.OpenAsync(options, this, CancellationToken.None);
        await Console.Error.WriteLineAsync($"kamachat-desktop: window open (browser {window.ProcessId})");
        _window = window;
        Background(TrackWindowAsync(window));
    }

    /// <summary>Remembers where the user puts the window, and decides what closing it means.</summary>
    private async Task TrackWindowAsync(AppWindow window)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        while (await Task.WhenAny(window.Closed, timer.WaitForNextTickAsync().AsTask()) != window.Closed)
        {
            try
            {
                if (await window.GetBoundsAsync() is { } bounds && bounds != _config.Current.Window)
                    _config.Update(config => config with { Window = bounds });
            }
            catch (Exception e) when (e is CdpException or CdpClosedException)
            {
                // Closing as we asked.
            }
        }
        await Console.Error.WriteLineAsync($"kamachat-desktop: window closed (browser {window.ProcessId})");
        await window.DisposeAsync();
        // Without a tray to come back from, a closed window would leave an invisible app: quit instead.
        if (!_trayShown)
            Quit();
    }

    /// <summary>A clicked notification: the page hears of it (and opens the conversation); a closed window opens there.</summary>
    private Task OnNotificationClickedAsync(uint id, string? path) =>
        ShowAsync(window => window.SendEventAsync("notificationclick", new { id, path }), StartUrl(path));

    private async Task SendEventAsync(string name, object detail)
    {
        try
        {
            if (_window is { } window && !window.Closed.IsCompleted)
                await window.SendEventAsync(name, detail);
        }
        catch (Exception e) when (e is CdpException or CdpClosedException)
        {
            // The window closed meanwhile: nobody to tell.
        }
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

    /// <summary>The machine woke up or the network came back: the page's gateway should reconnect now.</summary>
    public void NotifyResumed(string reason) => Background(SendEventAsync("resume", new { reason }));

    public async ValueTask DisposeAsync()
    {
        if (_window is { } window)
            await window.DisposeAsync();
        _pushToTalk?.Dispose();
        if (_notifications is not null)
            await _notifications.DisposeAsync();
        _windowLock.Dispose();
    }
}
