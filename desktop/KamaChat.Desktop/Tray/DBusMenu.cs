using Tmds.DBus;

namespace KamaChat.Desktop.Tray;

[DBusInterface("com.canonical.dbusmenu")]
public interface IDBusMenu : IDBusObject
{
    Task<(uint revision, (int, IDictionary<string, object>, object[]) layout)> GetLayoutAsync(int parentId, int recursionDepth, string[] propertyNames);
    Task<(int, IDictionary<string, object>)[]> GetGroupPropertiesAsync(int[] ids, string[] propertyNames);
    Task<object> GetPropertyAsync(int id, string name);
    Task EventAsync(int id, string eventId, object data, uint timestamp);
    Task<int[]> EventGroupAsync((int, string, object, uint)[] events);
    Task<bool> AboutToShowAsync(int id);
    Task<(int[] updatesNeeded, int[] idErrors)> AboutToShowGroupAsync(int[] ids);
    Task<IDisposable> WatchLayoutUpdatedAsync(Action<(uint revision, int parent)> handler, Action<Exception>? onError = null);
    Task<object> GetAsync(string prop);
    Task<DBusMenuProperties> GetAllAsync();
    Task SetAsync(string prop, object val);
    Task<IDisposable> WatchPropertiesAsync(Action<PropertyChanges> handler);
}

[Dictionary]
public sealed class DBusMenuProperties
{
#pragma warning disable IDE1006, CA1051, CA1819 // D-Bus property names, read by Tmds.DBus as fields.
    public uint Version = 3;
    public string TextDirection = "ltr";
    public string Status = "normal";
    public string[] IconThemePath = [];
#pragma warning restore IDE1006, CA1051, CA1819
}

/// <summary>One entry of the tray menu. <see cref="Toggle"/>: "checkmark" or "radio" with <see cref="Checked"/>.</summary>
public sealed record MenuItem(int Id, string Label)
{
    public bool Separator { get; init; }
    public string? Toggle { get; init; }
    public bool Checked { get; init; }
    public bool Enabled { get; init; } = true;
    public IReadOnlyList<MenuItem> Children { get; init; } = [];

    public static MenuItem SeparatorItem(int id) => new(id, "") { Separator = true };
}

/// <summary>The tray menu over com.canonical.dbusmenu: the panel asks for the layout and sends clicks back by item id.</summary>
public sealed class DBusMenu(Func<IReadOnlyList<MenuItem>> items, Action<int> clicked) : IDBusMenu
{
    public static readonly ObjectPath Path = new("/MenuBar");

    private readonly Signal<(uint, int)> _layoutUpdated = new();
    private uint _revision = 1;

    public ObjectPath ObjectPath => Path;

    /// <summary>Tells the panel to fetch the menu again (a checkmark or the server list changed).</summary>
    public void Invalidate() => _layoutUpdated.Raise((Interlocked.Increment(ref _revision), 0));

    public Task<(uint revision, (int, IDictionary<string, object>, object[]) layout)> GetLayoutAsync(int parentId, int recursionDepth, string[] propertyNames)
    {
        var root = new MenuItem(0, "") { Children = items() };
        var parent = Find(root, parentId) ?? throw new DBusException("org.freedesktop.DBus.Error.InvalidArgs", $"No menu item {parentId}.");
        return Task.FromResult((_revision, Layout(parent, recursionDepth)));
    }

    private static (int, IDictionary<string, object>, object[]) Layout(MenuItem item, int depth) =>
        (item.Id, Properties(item), depth == 0 ? [] : [.. item.Children.Select(child => (object)Layout(child, depth - 1))]);

    private static Dictionary<string, object> Properties(MenuItem item)
    {
        if (item.Separator)
            return new() { ["type"] = "separator" };
        var properties = new Dictionary<string, object> { ["label"] = item.Label, ["enabled"] = item.Enabled };
        if (item.Toggle is { } toggle)
        {
            properties["toggle-type"] = toggle;
            properties["toggle-state"] = item.Checked ? 1 : 0;
        }
        if (item.Children.Count > 0)
            properties["children-display"] = "submenu";
        return properties;
    }

    private static MenuItem? Find(MenuItem item, int id) =>
        item.Id == id ? item : item.Children.Select(child => Find(child, id)).FirstOrDefault(found => found is not null);

    public Task<(int, IDictionary<string, object>)[]> GetGroupPropertiesAsync(int[] ids, string[] propertyNames)
    {
        var root = new MenuItem(0, "") { Children = items() };
        return Task.FromResult(ids.Select(id => Find(root, id)).OfType<MenuItem>()
            .Select(item => (item.Id, (IDictionary<string, object>)Properties(item))).ToArray());
    }

    public async Task<object> GetPropertyAsync(int id, string name)
    {
        var found = await GetGroupPropertiesAsync([id], [name]);
        return found.Length == 1 && found[0].Item2.TryGetValue(name, out var value)
            ? value
            : throw new DBusException("org.freedesktop.DBus.Error.InvalidArgs", $"No property {name} on item {id}.");
    }

    public Task EventAsync(int id, string eventId, object data, uint timestamp)
    {
        if (eventId == "clicked")
            clicked(id);
        return Task.CompletedTask;
    }

    public async Task<int[]> EventGroupAsync((int, string, object, uint)[] events)
    {
        foreach (var (id, eventId, data, timestamp) in events)
            await EventAsync(id, eventId, data, timestamp);
        return [];
    }

    public Task<bool> AboutToShowAsync(int id) => Task.FromResult(false);

    public Task<(int[] updatesNeeded, int[] idErrors)> AboutToShowGroupAsync(int[] ids) => Task.FromResult<(int[], int[])>(([], []));

    public Task<IDisposable> WatchLayoutUpdatedAsync(Action<(uint revision, int parent)> handler, Action<Exception>? onError = null) =>
        _layoutUpdated.Add(value => handler(value));

    public Task<object> GetAsync(string prop) =>
        Task.FromResult(typeof(DBusMenuProperties).GetField(prop)?.GetValue(new DBusMenuProperties())
            ?? throw new DBusException("org.freedesktop.DBus.Error.UnknownProperty", prop));

    public Task<DBusMenuProperties> GetAllAsync() => Task.FromResult(new DBusMenuProperties());

    public Task SetAsync(string prop, object val) => throw new DBusException("org.freedesktop.DBus.Error.PropertyReadOnly", prop);

    public Task<IDisposable> WatchPropertiesAsync(Action<PropertyChanges> handler) => Task.FromResult(Signal.None);
}
