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
        _trayItem = new StatusNotifierItem(() => _ = ShowAsync(null));
        _trayMenu = new DBusMenu(MenuItems, OnMenuClicked);
    }

    public Task Quitting => _quit.Task;

    public async Task StartAsync(CommandLine command)
    {
        _notifications = await DesktopNotifications.ConnectAsync(_bus, "kamachat");
        _notifications.Clicked += (id, path) => _ = OnNotificationClickedAsync(id, path);
        _notifications.Closed += id => _ = SendEventAsync("notificationclose", new { id });
        _trayItem.Show(Look(_unread));
        _trayShown = await TrayRegistration.RegisterAsync(_bus, _trayItem, _trayMenu);
        _pushToTalk = X11PushToTalk.TryCreate(pressed => _ = SendEventAsync("push-to-talk", new { pressed }));
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
    public async Task ShowAsync(string? path)
    {
        await _windowLock.WaitAsync();
        try
        {
            if (_window is { } window && !window.Closed.IsCompleted)
            {
                if (path is not null)
                    await window.SendEventAsync("navigate", new { path });
                await window.BringToFrontAsync();
                return;
            }
            if (_window is not null)
                await _window.DisposeAsync();
            await OpenWindowAsync(StartUrl(path));
        }
        finally
        {
            _windowLock.Release();
        }
    }

    /// <summary>Shows the current server's start page, replacing whatever the window showed (a server switch).</summary>
    private async Task ShowServerAsync()
    {
        await _windowLock.WaitAsync();
        try
        {
            if (_window is { } window && !window.Closed.IsCompleted)
            {
                await window.NavigateAsync(StartUrl(null));
                await window.BringToFrontAsync();
                return;
            }
            if (_window is not null)
                await _window.DisposeAsync();
            await OpenWindowAsync(StartUrl(null));
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
        _window = window;
        _ = TrackWindowAsync(window);
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
        await window.DisposeAsync();
        // Without a tray to come back from, a closed window would leave an invisible app: quit instead.
        if (!_trayShown)
            Quit();
    }

    private async Task OnNotificationClickedAsync(uint id, string? path)
    {
        if (_window is { } window && !window.Closed.IsCompleted)
        {
            await window.BringToFrontAsync();
            await window.SendEventAsync("notificationclick", new { id, path });
        }
        else
        {
            await ShowAsync(path);
        }
    }

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

    /// <summary>The machine woke up or the network came back: the page's gateway should reconnect now.</summary>
    public void NotifyResumed(string reason) => _ = SendEventAsync("resume", new { reason });

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
