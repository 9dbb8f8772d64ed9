using System.Collections.Concurrent;
using Tmds.DBus;

namespace KamaChat.Desktop.Notifications;

/// <summary>The freedesktop notification daemon's interface (dunst, GNOME Shell, Plasma, mako, ...).</summary>
[DBusInterface("org.freedesktop.Notifications")]
public interface IFreedesktopNotifications : IDBusObject
{
    Task<uint> NotifyAsync(string appName, uint replacesId, string appIcon, string summary, string body, string[] actions, IDictionary<string, object> hints, int expireTimeout);
    Task CloseNotificationAsync(uint id);
    Task<IDisposable> WatchActionInvokedAsync(Action<(uint id, string actionKey)> handler, Action<Exception>? onError = null);
    Task<IDisposable> WatchNotificationClosedAsync(Action<(uint id, uint reason)> handler, Action<Exception>? onError = null);
}

/// <summary>A notification the page asked for. <see cref="Path"/>: what to open when it is clicked.</summary>
public sealed record NotificationRequest(string Title, string Body, string? Tag, string? Path)
{
    /// <summary>Stays until acted on, at critical urgency (the page's requireInteraction: a ringing call).</summary>
    public bool Urgent { get; init; }

    /// <summary>The freedesktop category hint: "im.received", or "call.incoming" for a ringing call.</summary>
    public string Category { get; init; } = "im.received";

    /// <summary>Buttons besides the body's default action (Accept, Decline), as the daemon offers them.</summary>
    public IReadOnlyList<NotificationAction> Actions { get; init; } = [];
}

/// <summary>
/// A button on a notification: <see cref="Key"/> is what the page hears. A background action is answered by the page
/// that showed the notification without opening the window (Decline); the others open it, like the body (Accept).
/// </summary>
public sealed record NotificationAction(string Key, string Label, bool Background);

/// <summary>
/// Native notifications over D-Bus, each with a default action: clicking one (the daemon sends ActionInvoked
/// "default") raises <see cref="Clicked"/> with the path it should open; a button of its own raises it with that
/// button's action.
/// </summary>
public sealed class DesktopNotifications : IAsyncDisposable
{
    private const string DefaultAction = "default";
    private const byte Normal = 1;
    private const byte Critical = 2;
    private readonly IFreedesktopNotifications _daemon;
    private readonly string _icon;
    private readonly ConcurrentDictionary<uint, NotificationRequest> _shown = new();
    private readonly ConcurrentDictionary<string, uint> _byTag = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _subscriptions = [];

    private DesktopNotifications(IFreedesktopNotifications daemon, string icon)
    {
        _daemon = daemon;
        _icon = icon;
    }

    /// <summary>(notification id, what it was, the button's action: null for the body)</summary>
    public event Action<uint, NotificationRequest, NotificationAction?>? Clicked;

    /// <summary>Closed by the user, timed out or replaced.</summary>
    public event Action<uint>? Closed;

    public static async Task<DesktopNotifications> ConnectAsync(Connection bus, string icon)
    {
        var daemon = bus.CreateProxy<IFreedesktopNotifications>("org.freedesktop.Notifications", "/org/freedesktop/Notifications");
        var notifications = new DesktopNotifications(daemon, icon);
        notifications._subscriptions.Add(await daemon.WatchActionInvokedAsync(notifications.OnAction));
        notifications._subscriptions.Add(await daemon.WatchNotificationClosedAsync(notifications.OnClosed));
        return notifications;
    }

    /// <summary>Shows it (replacing an earlier one with the same tag); returns the daemon's id.</summary>
    public async Task<uint> ShowAsync(NotificationRequest request)
    {
        var replaces = request.Tag is { Length: > 0 } tag && _byTag.TryGetValue(tag, out var previous) ? previous : 0;
        var hints = new Dictionary<string, object>
        {
            ["desktop-entry"] = "kamachat",
            ["category"] = request.Category,
            ["urgency"] = request.Urgent ? Critical : Normal,
        };
        string[] actions = [DefaultAction, "Open", .. request.Actions.SelectMany(a => new[] { a.Key, a.Label })];
        // An urgent one never times out (0); the others last as long as the daemon likes (-1).
        var id = await _daemon.NotifyAsync("KamaChat", replaces, _icon, request.Title, Markup(request.Body), actions, hints, request.Urgent ? 0 : -1);
        if (replaces != 0 && replaces != id)
            _shown.TryRemove(replaces, out _);
        _shown[id] = request;
        if (request.Tag is { Length: > 0 })
            _byTag[request.Tag] = id;
        return id;
    }

    public Task CloseAsync(uint id) => _shown.ContainsKey(id) ? _daemon.CloseNotificationAsync(id) : Task.CompletedTask;

    private void OnAction((uint id, string actionKey) invoked)
    {
        if (!_shown.TryGetValue(invoked.id, out var request))
            return;
        var action = request.Actions.FirstOrDefault(a => a.Key == invoked.actionKey);
        if (action is null && invoked.actionKey != DefaultAction)
            return;
        Clicked?.Invoke(invoked.id, request, action);
        // Done with once clicked; some daemons (dunst) would otherwise leave it on screen.
        _ = CloseClickedAsync(invoked.id);
    }

    private async Task CloseClickedAsync(uint id)
    {
        try
        {
            await _daemon.CloseNotificationAsync(id);
        }
        catch (DBusException)
        {
            // Already gone.
        }
    }

    private void OnClosed((uint id, uint reason) closed)
    {
        if (!_shown.TryRemove(closed.id, out var request))
            return;
        if (request.Tag is { Length: > 0 } tag)
            _byTag.TryRemove(new KeyValuePair<string, uint>(tag, closed.id));
        Closed?.Invoke(closed.id);
    }

    /// <summary>The body may be shown as markup by the daemon: message text is escaped so it shows as written.</summary>
    private static string Markup(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    public ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions)
            subscription.Dispose();
        return ValueTask.CompletedTask;
    }
}
