using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using KamaChat.Desktop.Config;
using KamaChat.Desktop.Integration;

namespace KamaChat.Desktop.Browser;

/// <summary>Who made a bridge call: the origin of the document it came from, as the browser reports it.</summary>
public sealed record BridgeCaller(string Origin);

/// <summary>Answers the page's bridge calls (see Bridge/bridge.js).</summary>
public interface IBridgeHandler
{
    /// <summary>The call's result (serialized to JSON for the page); throw <see cref="BridgeException"/> to reject it.</summary>
    Task<object?> HandleAsync(string method, JsonElement parameters, BridgeCaller caller, CancellationToken cancellationToken);
}

/// <summary>A call the page may not make, or made wrong; its message reaches the page's rejected promise.</summary>
public sealed class BridgeException(string message) : Exception(message);

/// <summary>
/// The app window: one browser process showing the web client, with the bridge injected into every document
/// before the page's scripts run. Closing the window ends the browser; <see cref="Closed"/> tells when.
/// </summary>
public sealed class AppWindow : IAsyncDisposable
{
    private const string Binding = "__kamachatDesktopCall";
    private static readonly string BridgeScript = Resources.Read("bridge.js");

    private readonly Process _process;
    private readonly CdpConnection _cdp;
    private readonly IBridgeHandler _handler;
    private readonly TaskCompletionSource<string> _pageSession = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Execution contexts per session, with the origin Chromium gives each: a call is judged by where it ran.
    private readonly ConcurrentDictionary<(string Session, int Context), BridgeCaller> _contexts = new();
    private readonly CancellationTokenSource _stop = new();
    private string? _pageTargetId;

    private AppWindow(Process process, CdpConnection cdp, IBridgeHandler handler)
    {
        _process = process;
        _cdp = cdp;
        _handler = handler;
        _cdp.EventReceived += OnEvent;
    }

    /// <summary>Completes when the window is gone (closed by the user, or the browser exited).</summary>
    public Task Closed => _cdp.Closed;

    public int ProcessId => _process.Id;

    public static async Task<AppWindow> OpenAsync(LaunchOptions options, IBridgeHandler handler, CancellationToken cancellationToken)
    {
        var (process, cdp) = Chromium.Launch(options);
        var window = new AppWindow(process, cdp, handler);
        try
        {
            await cdp.SendAsync("Target.setDiscoverTargets", new { discover = true }, cancellationToken: cancellationToken);
            // Every page (the app window, and any window it opens) is attached paused, so the bridge goes in first.
            await cdp.SendAsync("Target.setAutoAttach", new { autoAttach = true, waitForDebuggerOnStart = true, flatten = true }, cancellationToken: cancellationToken);
            // A browser that exits at once (it handed our window to another instance using the profile) never shows a page.
            var shown = await Task.WhenAny(window._pageSession.Task, cdp.Closed).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            if (shown != window._pageSession.Task)
                throw new CdpClosedException();
            return window;
        }
        catch
        {
            await window.DisposeAsync();
            throw;
        }
    }

    private void OnEvent(CdpEvent e)
    {
        switch (e.Method)
        {
            case "Target.attachedToTarget":
                _ = Guard(AttachedAsync(e.Params));
                break;
            case "Target.targetInfoChanged":
                _ = Guard(TargetChangedAsync(e.Params.GetProperty("targetInfo")));
                break;
            case "Runtime.executionContextCreated" when e.SessionId is not null:
                var context = e.Params.GetProperty("context");
                _contexts[(e.SessionId, context.GetProperty("id").GetInt32())] = new BridgeCaller(context.GetProperty("origin").GetString() ?? "");
                break;
            case "Runtime.executionContextDestroyed" when e.SessionId is not null:
                _contexts.TryRemove((e.SessionId, e.Params.GetProperty("executionContextId").GetInt32()), out _);
                break;
            case "Runtime.executionContextsCleared" when e.SessionId is not null:
                foreach (var key in _contexts.Keys.Where(key => key.Session == e.SessionId))
                    _contexts.TryRemove(key, out _);
                break;
            case "Runtime.bindingCalled" when e.SessionId is not null && e.Params.GetProperty("name").GetString() == Binding:
                _ = Guard(BindingCalledAsync(e.SessionId, e.Params));
                break;
        }
    }

    private async Task AttachedAsync(JsonElement attached)
    {
        var sessionId = attached.GetProperty("sessionId").GetString()!;
        var target = attached.GetProperty("targetInfo");
        if (target.GetProperty("type").GetString() != "page")
        {
            // Workers and the like: nothing to add, just let them run.
            await _cdp.SendAsync("Runtime.runIfWaitingForDebugger", sessionId: sessionId);
            return;
        }
        await _cdp.SendAsync("Runtime.addBinding", new { name = Binding }, sessionId);
        await _cdp.SendAsync("Page.enable", sessionId: sessionId);
        await _cdp.SendAsync("Page.addScriptToEvaluateOnNewDocument", new { source = BridgeScript }, sessionId);
        await _cdp.SendAsync("Runtime.enable", sessionId: sessionId);
        await _cdp.SendAsync("Runtime.runIfWaitingForDebugger", sessionId: sessionId);
        if (_pageTargetId is null)
        {
            _pageTargetId = target.GetProperty("targetId").GetString();
            // The first window was already loading when we attached: load it again, now with the bridge.
            if (!attached.GetProperty("waitingForDebugger").GetBoolean())
                await _cdp.SendAsync("Page.reload", sessionId: sessionId);
            _pageSession.TrySetResult(sessionId);
        }
    }

    /// <summary>A window the page opened (a link with target=_blank) that leads off the app: the user's browser shows it.</summary>
    private async Task TargetChangedAsync(JsonElement target)
    {
        var id = target.GetProperty("targetId").GetString();
        if (id == _pageTargetId || target.GetProperty("type").GetString() != "page" || _pageTargetId is null)
            return;
        var url = target.GetProperty("url").GetString() ?? "";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "mailto"))
            return;
        await _cdp.SendAsync("Target.closeTarget", new { targetId = id });
        ExternalLinks.Open(url);
    }

    private async Task BindingCalledAsync(string sessionId, JsonElement call)
    {
        var contextId = call.GetProperty("executionContextId").GetInt32();
        long id;
        string method;
        JsonElement parameters;
        try
        {
            using var request = JsonDocument.Parse(call.GetProperty("payload").GetString() ?? "");
            id = request.RootElement.GetProperty("id").GetInt64();
            method = request.RootElement.GetProperty("method").GetString() ?? "";
            parameters = request.RootElement.TryGetProperty("params", out var p) ? p.Clone() : default;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return; // Not our script's message: nobody is waiting for an answer.
        }

        object reply;
        try
        {
            // An unknown context (a frame we never saw created) gets no trust at all.
            var caller = _contexts.TryGetValue((sessionId, contextId), out var known) ? known : new BridgeCaller("");
            var result = await _handler.HandleAsync(method, parameters, caller, _stop.Token);
            reply = new { reply = id, result };
        }
        catch (BridgeException e)
        {
            reply = new { reply = id, error = e.Message };
        }
        await EvaluateAsync(sessionId, $"globalThis.__kamachatDesktopDeliver?.({JsonSerializer.Serialize(reply, CdpJson.Options)})", contextId);
    }

    /// <summary>Sends an event to the page (see the events in bridge.js).</summary>
    public async Task SendEventAsync(string name, object detail)
    {
        var sessionId = await _pageSession.Task;
        var message = JsonSerializer.Serialize(new { @event = name, detail }, CdpJson.Options);
        await EvaluateAsync(sessionId, $"globalThis.__kamachatDesktopDeliver?.({message})", contextId: null);
    }

    private Task<JsonElement> EvaluateAsync(string sessionId, string expression, int? contextId) =>
        _cdp.SendAsync("Runtime.evaluate", new { expression, contextId, awaitPromise = false }, sessionId);

    public async Task NavigateAsync(string url)
    {
        var sessionId = await _pageSession.Task;
        await _cdp.SendAsync("Page.navigate", new { url }, sessionId);
    }

    /// <summary>Raises the window above others and gives it focus (a notification was clicked, a link opened).</summary>
    public async Task BringToFrontAsync()
    {
        var sessionId = await _pageSession.Task;
        var window = await _cdp.SendAsync("Browser.getWindowForTarget", new { targetId = _pageTargetId });
        var windowId = window.GetProperty("windowId").GetInt32();
        if (window.GetProperty("bounds").GetProperty("windowState").GetString() == "minimized")
            await _cdp.SendAsync("Browser.setWindowBounds", new { windowId, bounds = new { windowState = "normal" } });
        await _cdp.SendAsync("Page.bringToFront", sessionId: sessionId);
    }

    /// <summary>The window's position and size now, or null when it is minimized or maximized (those are not remembered).</summary>
    public async Task<WindowBounds?> GetBoundsAsync()
    {
        await _pageSession.Task;
        var window = await _cdp.SendAsync("Browser.getWindowForTarget", new { targetId = _pageTargetId });
        var bounds = window.GetProperty("bounds");
        if (bounds.GetProperty("windowState").GetString() != "normal")
            return null;
        return new WindowBounds(bounds.GetProperty("left").GetInt32(), bounds.GetProperty("top").GetInt32(),
            bounds.GetProperty("width").GetInt32(), bounds.GetProperty("height").GetInt32());
    }

    /// <summary>The page's URL now.</summary>
    public async Task<string> GetUrlAsync()
    {
        var sessionId = await _pageSession.Task;
        var result = await _cdp.SendAsync("Runtime.evaluate", new { expression = "location.href", returnByValue = true }, sessionId);
        return result.GetProperty("result").GetProperty("value").GetString() ?? "";
    }

    private static async Task Guard(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is CdpException or CdpClosedException or OperationCanceledException or TimeoutException)
        {
            // The target or the whole browser went away mid-call: nothing left to answer.
        }
    }

    /// <summary>Closes the browser and waits until it has exited (its profile is free for the next window). Safe to call twice.</summary>
    public ValueTask DisposeAsync()
    {
        lock (_stop)
            _disposed ??= CloseAsync();
        return new ValueTask(_disposed);
    }

    private Task? _disposed;

    private async Task CloseAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (!_process.HasExited)
                await _cdp.SendAsync("Browser.close").WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is CdpException or CdpClosedException or TimeoutException or IOException or ObjectDisposedException)
        {
        }
        await _cdp.DisposeAsync();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
