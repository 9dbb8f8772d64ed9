using KamaChat.Desktop.Integration;
using KamaChat.Desktop.Servers;
using KamaChat.Desktop.Tray;

namespace KamaChat.Desktop;

/// <summary>The tray menu: open, status, mute, start on login, servers, quit.</summary>
public sealed partial class DesktopApp
{
    private const int OpenItem = 1, StatusMenu = 3, MuteItem = 4, AutostartItem = 5, ServersMenu = 6, AddServerItem = 7, QuitItem = 9;
    private const int FirstStatusItem = 30, FirstServerItem = 100;

    /// <summary>The statuses the gateway knows (SetPresence), with the menu's labels.</summary>
    public static readonly IReadOnlyList<(string Status, string Label)> Statuses =
        [("online", "Online"), ("idle", "Idle"), ("dnd", "Do Not Disturb"), ("invisible", "Invisible")];

    private IReadOnlyList<MenuItem> MenuItems()
    {
        var config = _config.Current;
        return
        [
            new MenuItem(OpenItem, "Open KamaChat"),
            MenuItem.SeparatorItem(2),
            new MenuItem(StatusMenu, "Status")
            {
                Children = [.. Statuses.Select((s, i) => new MenuItem(FirstStatusItem + i, s.Label) { Toggle = "radio", Checked = s.Status == _status })],
            },
            new MenuItem(MuteItem, "Mute notifications") { Toggle = "checkmark", Checked = _notificationsMuted },
            new MenuItem(AutostartItem, "Start on login") { Toggle = "checkmark", Checked = DesktopEntry.IsAutostartEnabled(_paths) },
            new MenuItem(ServersMenu, "Servers")
            {
                Children =
                [
                    .. config.Servers.Select((server, i) => new MenuItem(FirstServerItem + i, server) { Toggle = "radio", Checked = server == config.CurrentServer }),
                    MenuItem.SeparatorItem(8),
                    new MenuItem(AddServerItem, "Add a server…"),
                ],
            },
            MenuItem.SeparatorItem(10),
            new MenuItem(QuitItem, "Quit KamaChat"),
        ];
    }

    private void OnMenuClicked(int id)
    {
        switch (id)
        {
            case OpenItem:
                Background(ShowAsync(null));
                break;
            case MuteItem:
                // A setting on the server, so every device mutes: the client changes it, then reports it back.
                Background(SendEventAsync("mute", new { muted = !_notificationsMuted }));
                break;
            case AutostartItem:
                DesktopEntry.SetAutostart(_paths, Environment.ProcessPath!, !DesktopEntry.IsAutostartEnabled(_paths));
                break;
            case AddServerItem:
                Background(OpenSetupAsync());
                break;
            case QuitItem:
                Quit();
                break;
            case >= FirstStatusItem and < FirstServerItem when id - FirstStatusItem < Statuses.Count:
                // The client owns presence (the gateway's SetPresence); the tray asks it, and shows the choice at once.
                _status = Statuses[id - FirstStatusItem].Status;
                Background(SendEventAsync("status", new { status = _status }));
                break;
            case >= FirstServerItem when id - FirstServerItem < _config.Current.Servers.Count:
                var server = _config.Current.Servers[id - FirstServerItem];
                _config.Update(config => config with { CurrentServer = server });
                Background(ShowServerAsync());
                break;
        }
        _trayMenu.Invalidate();
    }

    private Task OpenSetupAsync() => ShowAsync(browser => browser.NavigateWindowAsync(SetupPage.Url(_paths)), SetupPage.Url(_paths));
}
