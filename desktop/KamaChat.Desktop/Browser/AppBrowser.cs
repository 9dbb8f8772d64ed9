using System.Diagnostics;
using System.Text.Json;
using KamaChat.Desktop.Config;
using KamaChat.Desktop.Integration;

namespace KamaChat.Desktop.Browser;

/// <summary>Which of the app's pages a call came from, or an event goes to.</summary>
public enum PageRole
{
    /// <summary>The app window the user sees.</summary>
    Window,

    /// <summary>The hidden page that runs the client while the window is closed (notifications, badge, presence).</summary>
    Background,
}

/// <summary>
/// The app's browser: one Chromium process for the app's lifetime, driven over its DevTools pipe. It shows the web
/// client in an app window, opened and closed at will, and runs the same client in a hidden page while that window
/// is closed, so notifications, the tray badge and presence go on. Every page gets the bridge before its scripts run.
/// </summary>
public sealed class AppBrowser : IAsyncDisposable
{
    private const string BootstrapUrl = "about:blank#kamachat-bootstrap";
    private const string WindowPlaceholderUrl = "about:blank#kamachat-window";
    private const string ParkedUrl = "about:blank#kamachat-background";

    private readonly LaunchOptions _options;
    private readonly Process _process;
    private readonly CdpConnection _cdp;
    private readonly PageBridge _bridge;
    private readonly Lock _lock = new();
    private Page? _window;
    private TaskCompletionSource<Page> _windowShown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Page? _background;
    private bool _backgroundRunning;
    /// <summary>Where a window being opened goes, once it has the bridge.</summary>
    private string? _windowUrl;

    /// <summary>An open page: its target, our session with it, and (for the window) when it closed.</summary>
    private sealed record Page(string TargetId, string SessionId)
    {
        public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private AppBrowser(LaunchOptions options, Process process, CdpConnection cdp, IBridgeHandler handler)
    {
        _options = options;
        _process = process;
        _cdp = cdp;
        _bridge = new PageBridge(cdp, handler, RoleOf);
        _cdp.EventReceived += OnEvent;
    }

    /// <summary>Completes when the browser has gone (quit, or crashed).</summary>
    public Task Exited => _cdp.Closed;

    public int ProcessId => _process.Id;

    /// <summary>Whether the app window is open now.</summary>
    public bool WindowOpen => _window is not null;

    /// <summary>Completes when the current window closes (at once when there is none).</summary>
    public Task WindowClosed => _window?.Closed.Task ?? Task.CompletedTask;

    /// <summary>Whether the hidden page runs the client (not parked).</summary>
    public bool BackgroundRunning => _backgroundRunning;

    /// <summary>Starts the browser, with the app window at <paramref name="windowUrl"/>, or with no window (start in the tray).</summary>
    public static async Task<AppBrowser> LaunchAsync(LaunchOptions options, IBridgeHandler handler, CancellationToken cancellationToken)
    {
        var (process, cdp) = Chromium.Launch(options);
        var browser = new AppBrowser(options, process, cdp, handler);
        try
        {
            await cdp.SendAsync("Target.setDiscoverTargets", new { discover = true }, cancellationToken: cancellationToken);
            // Every page (the app window, any window it opens) is attached paused, so the bridge goes in first.
            await cdp.SendAsync("Target.setAutoAttach", new { autoAttach = true, waitForDebuggerOnStart = true, flatten = true }, cancellationToken: cancellationToken);
            if (options.Url is not null)
                await browser.WaitForWindowAsync(cancellationToken);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens the app window at <paramref name="url"/> (there is none now) and places it.</summary>
    public async Task OpenWindowAsync(string url, WindowBounds? bounds, CancellationToken cancellationToken)
    {
        // The window opens on a blank placeholder and goes to the page once it has the bridge: a page already
        // loading when the window is attached does not get the bridge script.
        _windowUrl = url;
        await Chromium.OpenWindowInRunningBrowserAsync(_options, WindowPlaceholderUrl, cancellationToken);
        await WaitForWindowAsync(cancellationToken);
        if (bounds is not null)
            await SetBoundsAsync(bounds);
    }

    private async Task WaitForWindowAsync(CancellationToken cancellationToken)
    {
        var shown = _windowShown.Task;
        if (await Task.WhenAny(shown, _cdp.Closed).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken) != shown)
            throw new CdpClosedException();
    }

    private PageRole? RoleOf(string sessionId) =>
        _window?.SessionId == sessionId ? PageRole.Window : _background?.SessionId == sessionId ? PageRole.Background : null;

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
            case "Target.targetDestroyed":
                Forget(e.Params.GetProperty("targetId").GetString());
                break;
            case "Target.targetCrashed" when e.Params.GetProperty("targetId").GetString() == _background?.TargetId && _backgroundRunning:
                // The hidden page's renderer died (out of memory, say): start it again where it was.
                _ = Guard(ReloadBackgroundAsync());
                break;
            default:
                _bridge.OnEvent(e);
                break;
        }
    }

    private async Task AttachedAsync(JsonElement attached)
    {
        var sessionId = attached.GetProperty("sessionId").GetString()!;
        var target = attached.GetProperty("targetInfo");
        var targetId = target.GetProperty("targetId").GetString()!;
        if (target.GetProperty("type").GetString() != "page" || target.GetProperty("url").GetString() is BootstrapUrl or ParkedUrl)
        {
            // Workers, the hidden page (set up by its creator), the bootstrap window: nothing to add, let them run.
            await _cdp.SendAsync("Runtime.runIfWaitingForDebugger", sessionId: sessionId);
            return;
        }
        await _bridge.SetUpAsync(sessionId);
        Page? window = null;
        lock (_lock)
        {
            if (_window is null)
                _window = window = new Page(targetId, sessionId);
        }
        await _cdp.SendAsync("Runtime.runIfWaitingForDebugger", sessionId: sessionId);
        if (window is null)
            return;
        if (Interlocked.Exchange(ref _windowUrl, null) is { } url)
            await _cdp.SendAsync("Page.navigate", new { url }, sessionId);
        else
            // The first window was already loading when we attached: load it again, now with the bridge.
            await _cdp.SendAsync("Page.reload", sessionId: sessionId);
        _windowShown.TrySetResult(window);
    }

    private void Forget(string? targetId)
    {
        Page? closed = null;
        lock (_lock)
        {
            if (_window is { } window && window.TargetId == targetId)
            {
                closed = window;
                _window = null;
                _windowShown = new TaskCompletionSource<Page>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
        if (closed is not null)
        {
            _bridge.Forget(closed.SessionId);
            closed.Closed.TrySetResult();
        }
    }

    /// <summary>A window the page opened (a link with target=_blank) that leads off the app: the user's browser shows it.</summary>
    private async Task TargetChangedAsync(JsonElement target)
    {
        var id = target.GetProperty("targetId").GetString();
        if (target.GetProperty("type").GetString() != "page" || _window is not { } window || id == window.TargetId || id == _background?.TargetId)
            return;
        var url = target.GetProperty("url").GetString() ?? "";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "mailto"))
            return;
        await _cdp.SendAsync("Target.closeTarget", new { targetId = id });
        ExternalLinks.Open(url);
    }

    /// <summary>Makes the hidden page now, parked, while the window is there (see <see cref="SetBackgroundAsync"/>).</summary>
    public async Task EnsureBackgroundAsync() => _background ??= await CreateBackgroundAsync();

    /// <summary>
    /// Runs the client at <paramref name="url"/> in the hidden page, or parks that page (null). The page lives as long as
    /// the browser: Chromium creates a hidden page only while some page exists, so the first is made while one does
    /// (the window, or a minimized bootstrap window when the app starts in the tray) and then kept.
    /// </summary>
    public async Task SetBackgroundAsync(string? url)
    {
        if (_background is null)
        {
            if (url is null)
                return;
            _background = await CreateBackgroundAsync();
        }
        _backgroundRunning = url is not null;
        await _cdp.SendAsync("Page.navigate", new { url = url ?? ParkedUrl }, _background.SessionId);
    }

    private async Task<Page> CreateBackgroundAsync()
    {
        string? bootstrap = null;
        if (_window is null)
            bootstrap = (await _cdp.SendAsync("Target.createTarget", new { url = BootstrapUrl, newWindow = true, windowState = "minimized", background = true }))
                .GetProperty("targetId").GetString();
        try
        {
            var targetId = (await _cdp.SendAsync("Target.createTarget", new { url = ParkedUrl, hidden = true, background = true })).GetProperty("targetId").GetString()!;
            var sessionId = (await _cdp.SendAsync("Target.attachToTarget", new { targetId, flatten = true })).GetProperty("sessionId").GetString()!;
            var page = new Page(targetId, sessionId);
            _background = page;
            await _bridge.SetUpAsync(sessionId);
            return page;
        }
        finally
        {
            if (bootstrap is not null)
                await _cdp.SendAsync("Target.closeTarget", new { targetId = bootstrap });
        }
    }

    private async Task ReloadBackgroundAsync()
    {
        if (_background is { } page)
            await _cdp.SendAsync("Page.reload", sessionId: page.SessionId);
    }

    /// <summary>Sends an event to a page (see the events in bridge.js); false when that page is not there to hear it.</summary>
    public async Task<bool> SendEventAsync(PageRole role, string name, object detail)
    {
        var page = role == PageRole.Window ? _window : _backgroundRunning ? _background : null;
        if (page is null)
            return false;
        try
        {
            await _bridge.SendEventAsync(page.SessionId, name, detail);
            return true;
        }
        catch (Exception e) when (e is CdpException or CdpClosedException)
        {
            return false; // It closed meanwhile.
        }
    }

    /// <summary>
    /// Lets <paramref name="origin"/> use the microphone and camera without a prompt (for this browser's run; the
    /// other origins keep Chromium's own prompt and the profile's answers).
    /// </summary>
    public Task GrantMediaAsync(string origin) =>
        _cdp.SendAsync("Browser.grantPermissions", new { origin, permissions = MediaPermissions });

    private static readonly string[] MediaPermissions = ["audioCapture", "videoCapture"];

    /// <summary>The window's session, or an exception when it has closed (callers open a new window then).</summary>
    private Page Window => _window ?? throw new CdpException("The window is closed.");

    public Task NavigateWindowAsync(string url) => _cdp.SendAsync("Page.navigate", new { url }, Window.SessionId);

    /// <summary>Raises the window above others and gives it focus (a notification was clicked, a link opened).</summary>
    public async Task BringToFrontAsync()
    {
        var page = Window;
        var window = await _cdp.SendAsync("Browser.getWindowForTarget", new { targetId = page.TargetId });
        var windowId = window.GetProperty("windowId").GetInt32();
        if (window.GetProperty("bounds").GetProperty("windowState").GetString() == "minimized")
            await _cdp.SendAsync("Browser.setWindowBounds", new { windowId, bounds = new { windowState = "normal" } });
        await _cdp.SendAsync("Page.bringToFront", sessionId: page.SessionId);
    }

    /// <summary>The window's position and size now, or null when it is minimized or maximized (those are not remembered).</summary>
    public async Task<WindowBounds?> GetBoundsAsync()
    {
        var window = await _cdp.SendAsync("Browser.getWindowForTarget", new { targetId = Window.TargetId });
        var bounds = window.GetProperty("bounds");
        if (bounds.GetProperty("windowState").GetString() != "normal")
            return null;
        return new WindowBounds(bounds.GetProperty("left").GetInt32(), bounds.GetProperty("top").GetInt32(),
            bounds.GetProperty("width").GetInt32(), bounds.GetProperty("height").GetInt32());
    }

    private async Task SetBoundsAsync(WindowBounds bounds)
    {
        var window = await _cdp.SendAsync("Browser.getWindowForTarget", new { targetId = Window.TargetId });
        await _cdp.SendAsync("Browser.setWindowBounds", new
        {
            windowId = window.GetProperty("windowId").GetInt32(),
            bounds = new { left = bounds.Left, top = bounds.Top, width = bounds.Width, height = bounds.Height },
        });
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

    /// <summary>Closes the browser and waits until it has exited (its profile is free again). Safe to call twice.</summary>
    public ValueTask DisposeAsync()
    {
        lock (_lock)
            _disposed ??= CloseAsync();
        return new ValueTask(_disposed);
    }

    private Task? _disposed;

    private async Task CloseAsync()
    {
        _bridge.Stop();
        try
        {
            if (!_process.HasExited)
                await _cdp.SendAsync("Browser.close").WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is CdpException or CdpClosedException or TimeoutException or IOException or ObjectDisposedException)
        {
        }
        await _cdp.DisposeAsync();
        _bridge.Dispose();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _window?.Closed.TrySetResult();
    }
}
