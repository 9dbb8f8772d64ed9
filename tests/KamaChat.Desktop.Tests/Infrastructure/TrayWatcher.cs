using System.Collections.Concurrent;
using KamaChat.Desktop.Tray;
using Tmds.DBus;

namespace KamaChat.Desktop.Tests.Infrastructure;

/// <summary>
/// The panel's side of the tray protocol (org.kde.StatusNotifierWatcher), as a desktop panel provides it: it records
/// the items that register. No panel that runs headless is packaged here, so the test session plays that part.
/// </summary>
public sealed class TrayWatcher : IStatusNotifierWatcher
{
    private readonly ConcurrentQueue<string> _registered = new();

    public ObjectPath ObjectPath => new("/StatusNotifierWatcher");

    public IReadOnlyCollection<string> Registered => _registered;

    public Task RegisterStatusNotifierItemAsync(string service)
    {
        _registered.Enqueue(service);
        return Task.CompletedTask;
    }
}

/// <summary>How a panel reads a tray item: the tests' own proxy, property by property.</summary>
[DBusInterface("org.kde.StatusNotifierItem")]
public interface ITrayItemReader : IDBusObject
{
    Task ActivateAsync(int x, int y);
    Task<T> GetAsync<T>(string prop);
}

[DBusInterface("com.canonical.dbusmenu")]
public interface ITrayMenuReader : IDBusObject
{
    Task<(uint revision, (int, IDictionary<string, object>, object[]) layout)> GetLayoutAsync(int parentId, int recursionDepth, string[] propertyNames);
    Task EventAsync(int id, string eventId, object data, uint timestamp);
}
