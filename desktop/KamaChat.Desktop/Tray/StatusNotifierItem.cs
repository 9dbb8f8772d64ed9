using Tmds.DBus;

namespace KamaChat.Desktop.Tray;

/// <summary>The StatusNotifierItem D-Bus interface (freedesktop/KDE): what the desktop's panel reads to show the tray icon.</summary>
[DBusInterface("org.kde.StatusNotifierItem")]
public interface IStatusNotifierItem : IDBusObject
{
    Task ContextMenuAsync(int x, int y);
    Task ActivateAsync(int x, int y);
    Task SecondaryActivateAsync(int x, int y);
    Task ScrollAsync(int delta, string orientation);
    Task<IDisposable> WatchNewTitleAsync(Action handler, Action<Exception>? onError = null);
    Task<IDisposable> WatchNewIconAsync(Action handler, Action<Exception>? onError = null);
    Task<IDisposable> WatchNewToolTipAsync(Action handler, Action<Exception>? onError = null);
    Task<IDisposable> WatchNewStatusAsync(Action<string> handler, Action<Exception>? onError = null);
    Task<object> GetAsync(string prop);
    Task<StatusNotifierItemProperties> GetAllAsync();
    Task SetAsync(string prop, object val);
    Task<IDisposable> WatchPropertiesAsync(Action<PropertyChanges> handler);
}

/// <summary>The item's properties; the field names are the D-Bus property names.</summary>
[Dictionary]
public sealed class StatusNotifierItemProperties
{
#pragma warning disable IDE1006, CA1051, CA1819 // D-Bus property names, read by Tmds.DBus as fields.
    public string Category = "Communications";
    public string Id = "kamachat";
    public string Title = "KamaChat";
    public string Status = "Active";
    public int WindowId;
    public string IconName = "";
    public (int, int, byte[])[] IconPixmap = [];
    public string OverlayIconName = "";
    public (int, int, byte[])[] OverlayIconPixmap = [];
    public string AttentionIconName = "";
    public (int, int, byte[])[] AttentionIconPixmap = [];
    public string AttentionMovieName = "";
    public (string, (int, int, byte[])[], string, string) ToolTip = ("", [], "KamaChat", "");
    public bool ItemIsMenu;
    public ObjectPath Menu = DBusMenu.Path;
#pragma warning restore IDE1006, CA1051, CA1819
}

[DBusInterface("org.kde.StatusNotifierWatcher")]
public interface IStatusNotifierWatcher : IDBusObject
{
    Task RegisterStatusNotifierItemAsync(string service);
}

/// <summary>What the tray shows, decided by the app from the unread state.</summary>
public sealed record TrayLook(string Title, string ToolTip, bool NeedsAttention, (int, int, byte[])[] Icon);

/// <summary>The tray icon object. Left click opens the window; the menu is <see cref="DBusMenu"/>.</summary>
public sealed class StatusNotifierItem(Action activate) : IStatusNotifierItem
{
    public static readonly ObjectPath Path = new("/StatusNotifierItem");

    private readonly Signal _newTitle = new();
    private readonly Signal _newIcon = new();
    private readonly Signal _newToolTip = new();
    private readonly Signal<string> _newStatus = new();
    private volatile StatusNotifierItemProperties _properties = new();

    public ObjectPath ObjectPath => Path;

    public void Show(TrayLook look)
    {
        var before = _properties;
        var status = look.NeedsAttention ? "NeedsAttention" : "Active";
        _properties = new StatusNotifierItemProperties
        {
            Title = look.Title,
            Status = status,
            IconPixmap = look.Icon,
            AttentionIconPixmap = look.Icon,
            ToolTip = ("", look.Icon, "KamaChat", look.ToolTip),
        };
        if (before.Title != look.Title)
            _newTitle.Raise();
        if (!ReferenceEquals(before.IconPixmap, look.Icon))
            _newIcon.Raise();
        if (before.ToolTip.Item4 != look.ToolTip)
            _newToolTip.Raise();
        if (before.Status != status)
            _newStatus.Raise(status);
    }

    public Task ActivateAsync(int x, int y)
    {
        activate();
        return Task.CompletedTask;
    }

    // The panel shows the menu itself (the Menu property); a panel without menus gets nothing here.
    public Task ContextMenuAsync(int x, int y) => Task.CompletedTask;

    public Task SecondaryActivateAsync(int x, int y) => ActivateAsync(x, y);

    public Task ScrollAsync(int delta, string orientation) => Task.CompletedTask;

    public Task<IDisposable> WatchNewTitleAsync(Action handler, Action<Exception>? onError = null) => _newTitle.Add(handler);

    public Task<IDisposable> WatchNewIconAsync(Action handler, Action<Exception>? onError = null) => _newIcon.Add(handler);

    public Task<IDisposable> WatchNewToolTipAsync(Action handler, Action<Exception>? onError = null) => _newToolTip.Add(handler);

    public Task<IDisposable> WatchNewStatusAsync(Action<string> handler, Action<Exception>? onError = null) => _newStatus.Add(handler);

    public Task<object> GetAsync(string prop)
    {
        var field = typeof(StatusNotifierItemProperties).GetField(prop) ?? throw new DBusException("org.freedesktop.DBus.Error.UnknownProperty", prop);
        return Task.FromResult(field.GetValue(_properties)!);
    }

    public Task<StatusNotifierItemProperties> GetAllAsync() => Task.FromResult(_properties);

    public Task SetAsync(string prop, object val) => throw new DBusException("org.freedesktop.DBus.Error.PropertyReadOnly", prop);

    // The spec's New* signals announce changes; PropertiesChanged is not part of it.
    public Task<IDisposable> WatchPropertiesAsync(Action<PropertyChanges> handler) => Task.FromResult(Signal.None);
}
