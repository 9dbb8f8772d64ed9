using Tmds.DBus;

namespace KamaChat.Desktop.Tray;

/// <summary>Puts the tray item on the session bus and announces it to the panel's StatusNotifierWatcher.</summary>
public static class TrayRegistration
{
    private const string Watcher = "org.kde.StatusNotifierWatcher";

    /// <summary>True when a watcher (a panel that shows tray icons) took the item.</summary>
    public static async Task<bool> RegisterAsync(Connection bus, StatusNotifierItem item, DBusMenu menu)
    {
        var name = $"org.kde.StatusNotifierItem-{Environment.ProcessId}-1";
        await bus.RegisterObjectAsync(item);
        await bus.RegisterObjectAsync(menu);
        await bus.RegisterServiceAsync(name);
        var shown = await AnnounceAsync(bus, name);
        // A panel that starts (or restarts) later asks nobody: tell each new watcher ourselves.
        await bus.ResolveServiceOwnerAsync(Watcher, change =>
        {
            if (change.NewOwner is not null)
                _ = AnnounceAsync(bus, name);
        });
        return shown;
    }

    private static async Task<bool> AnnounceAsync(Connection bus, string name)
    {
        try
        {
            await bus.CreateProxy<IStatusNotifierWatcher>(Watcher, "/StatusNotifierWatcher").RegisterStatusNotifierItemAsync(name);
            return true;
        }
        catch (DBusException e)
        {
            Console.Error.WriteLine($"kamachat-desktop: no tray on this desktop ({e.ErrorName}); closing the window quits.");
            return false;
        }
    }
}
