using System.Text.Json;
using KamaChat.Desktop.Browser;
using KamaChat.Desktop.Input;
using KamaChat.Desktop.Keyring;
using KamaChat.Desktop.Notifications;
using KamaChat.Desktop.Servers;
using KamaChat.Desktop.Tray;
using Tmds.DBus;

namespace KamaChat.Desktop;

/// <summary>The page's calls through the bridge (web/src/platform/desktopBridge.ts is the contract).</summary>
public sealed partial class DesktopApp : IBridgeHandler
{
    private const int MaxSecretLength = 16 * 1024;

    public async Task<object?> HandleAsync(string method, JsonElement parameters, BridgeCaller caller, CancellationToken cancellationToken)
    {
        // The setup page (a file of ours) manages servers; everything else belongs to the server being shown.
        // A page from anywhere else (a link followed off the server) gets nothing.
        if (method.StartsWith("servers.", StringComparison.Ordinal))
        {
            if (caller.Origin != SetupPage.Origin)
                throw new BridgeException("not_allowed");
            return await HandleServersAsync(method, parameters);
        }
        var server = _config.Current.CurrentServer;
        if (server is null || !string.Equals(caller.Origin, server, StringComparison.OrdinalIgnoreCase))
            throw new BridgeException("not_allowed");

        switch (method)
        {
            case "notify":
                if (_notificationsMuted || _notifications is null)
                    return 0;
                var path = Text(parameters, "path", 2000);
                var request = new NotificationRequest(Text(parameters, "title", 200) ?? "KamaChat", Text(parameters, "body", 1000) ?? "",
                    Text(parameters, "tag", 200), path is { } p && p.StartsWith('/') && !p.StartsWith("//", StringComparison.Ordinal) ? p : null)
                {
                    Urgent = parameters.TryGetProperty("requireInteraction", out var urgent) && urgent.ValueKind == JsonValueKind.True,
                    Category = Text(parameters, "category", 40) is { } category && Categories.Contains(category) ? category : "im.received",
                    Actions = Actions(parameters),
                };
                var shown = await Keep(() => _notifications.ShowAsync(request));
                if (caller.Role is { } owner)
                    _notificationOwners[shown] = new NotificationOwner(owner, request.Urgent);
                return shown;
            case "closeNotification":
                if (_notifications is not null && parameters.TryGetProperty("id", out var id) && id.TryGetUInt32(out var notificationId))
                    await Keep(() => _notifications.CloseAsync(notificationId));
                return null;
            case "setBadge":
                // The Badging API: no number is a flag (unread, no mentions); a number counts mentions; 0 clears.
                var count = parameters.TryGetProperty("count", out var c) && c.ValueKind == JsonValueKind.Number ? Math.Max(0, (int)Math.Min(c.GetDouble(), 100_000)) : (int?)null;
                SetUnread(count is { } n ? new UnreadState(n, n) : new UnreadState(1, 0));
                return null;
            case "setUnread":
                SetUnread(new UnreadState(Count(parameters, "unread"), Count(parameters, "mentions")));
                return null;
            case "setTrayState":
                // The client connected to the server reports what the server has chosen and muted.
                if (Text(parameters, "status", 20) is { } status && Statuses.Any(s => s.Status == status))
                    _status = status;
                _notificationsMuted = parameters.TryGetProperty("notificationsMuted", out var muted) && muted.ValueKind == JsonValueKind.True;
                _trayMenu.Invalidate();
                await ClientUpAsync(caller.Role);
                return null;
            case "tokenStorage.get":
                return await Keep(() => _keyring.GetAsync(server));
            case "tokenStorage.set":
                var value = parameters.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new BridgeException("invalid_value");
                if (value.Length > MaxSecretLength)
                    throw new BridgeException("invalid_value");
                await Keep(() => _keyring.SetAsync(server, value));
                await TellTheOtherPageAsync(caller);
                return null;
            case "tokenStorage.clear":
                await Keep(() => _keyring.ClearAsync(server));
                await TellTheOtherPageAsync(caller);
                return null;
            case "pushToTalk.get":
                return new { key = _config.Current.PushToTalkKey, available = _pushToTalk is not null };
            case "pushToTalk.set":
                var key = parameters.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
                return new { ok = await SetPushToTalkKeyAsync(key), key = _config.Current.PushToTalkKey };
            default:
                throw new BridgeException("unknown_method");
        }
    }

    private async Task<object?> HandleServersAsync(string method, JsonElement parameters)
    {
        switch (method)
        {
            case "servers.list":
                return new { servers = _config.Current.Servers, current = _config.Current.CurrentServer, suggested = ServerAddress.Default };
            case "servers.add":
                var origin = ServerAddress.Normalize(Text(parameters, "address", 2000));
                if (origin is null)
                    throw new BridgeException("invalid_address");
                if (!await SetupPage.IsKamaChatAsync(origin))
                    throw new BridgeException("unreachable");
                _config.Update(config => config.WithServer(origin) with { CurrentServer = config.CurrentServer });
                _trayMenu.Invalidate();
                return new { origin };
            case "servers.open":
                var chosen = Text(parameters, "origin", 2000);
                if (chosen is null || !_config.Current.Servers.Contains(chosen, StringComparer.Ordinal))
                    throw new BridgeException("unknown_server");
                _config.Update(config => config with { CurrentServer = chosen });
                _trayMenu.Invalidate();
                // Navigating away ends this page's call: answer first, then go.
                Background(Task.Run(async () =>
                {
                    await AllowCallsAsync(_browser!);
                    await _browser!.NavigateWindowAsync(chosen + "/");
                }));
                return null;
            default:
                throw new BridgeException("unknown_method");
        }
    }

    /// <summary>A page's client reported for the first time since it (re)started: it is connected.</summary>
    private async Task ClientUpAsync(PageRole? role)
    {
        if (role is not { } page || !_clientsUp.TryAdd(page, true))
            return;
        await Console.Error.WriteLineAsync($"kamachat-desktop: client connected in the {(page == PageRole.Window ? "window" : "hidden page")}");
        if (page == PageRole.Window)
            _windowClientUp.TrySetResult();
    }

    /// <summary>While the window and the hidden page overlap, the other one reads the tokens again (the token storage's subscribe).</summary>
    private async Task TellTheOtherPageAsync(BridgeCaller caller)
    {
        if (_browser is { } browser && caller.Role is { } role)
            await browser.SendEventAsync(role == PageRole.Window ? PageRole.Background : PageRole.Window, "tokens", new { });
    }

    /// <summary>Grabs the key (null: releases it) and remembers it when the grab worked.</summary>
    private async Task<bool> SetPushToTalkKeyAsync(string? key)
    {
        KeyCombination? combination = null;
        if (key is not null && (combination = KeyCombination.Parse(key)) is null)
            return false;
        if (_pushToTalk is null || !await _pushToTalk.SetKeyAsync(combination))
            return false;
        _config.Update(config => config with { PushToTalkKey = key });
        return true;
    }

    /// <summary>Runs a D-Bus call for the page; a keyring or daemon failure becomes the page's rejected promise, not our crash.</summary>
    private static async Task<T> Keep<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is DBusException or KeyringException or DisconnectedException or TimeoutException)
        {
            throw new BridgeException(e is KeyringException ? e.Message : "unavailable: " + e.Message);
        }
    }

    private static Task<bool> Keep(Func<Task> call) => Keep(async () =>
    {
        await call();
        return true;
    });

    private static string? Text(JsonElement parameters, string name, int maxLength) =>
        parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() is { } text && text.Length > maxLength ? text[..maxLength] : value.GetString()
            : null;

    private static readonly string[] Categories = ["im.received", "call.incoming"];

    /// <summary>The notification's buttons (at most three, keys and labels of sane length; "default" is the body's).</summary>
    private static NotificationAction[] Actions(JsonElement parameters) =>
        parameters.TryGetProperty("actions", out var actions) && actions.ValueKind == JsonValueKind.Array
            ? actions.EnumerateArray()
                .Where(a => a.ValueKind == JsonValueKind.Object)
                .Select(a => (Key: Text(a, "action", 40), Label: Text(a, "title", 40), Background: a.TryGetProperty("background", out var b) && b.ValueKind == JsonValueKind.True))
                .Where(a => a.Key is { Length: > 0 } and not "default" && a.Label is { Length: > 0 })
                .DistinctBy(a => a.Key)
                .Take(3)
                .Select(a => new NotificationAction(a.Key!, a.Label!, a.Background))
                .ToArray()
            : [];

    private static int Count(JsonElement parameters, string name) =>
        parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? (int)Math.Clamp(value.GetDouble(), 0, 100_000)
            : 0;
}
