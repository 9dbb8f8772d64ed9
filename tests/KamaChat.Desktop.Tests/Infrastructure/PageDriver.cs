using System.Text.Json;
using KamaChat.Desktop.Browser;

namespace KamaChat.Desktop.Tests.Infrastructure;

/// <summary>Drives the app window's page over DevTools: script, real mouse clicks and typing, screenshots.</summary>
public sealed class PageDriver : IAsyncDisposable
{
    private readonly CdpConnection _cdp;

    private PageDriver(CdpConnection connection, string targetId)
    {
        _cdp = connection;
        TargetId = targetId;
    }

    /// <summary>The page's DevTools target: a window opened later is another target.</summary>
    public string TargetId { get; }

    /// <summary>Events of the page's DevTools domains the test enabled (Network, say).</summary>
    public event Action<CdpEvent> EventReceived
    {
        add => _cdp.EventReceived += value;
        remove => _cdp.EventReceived -= value;
    }

    public static async Task<PageDriver> ConnectAsync(Uri socketUrl, string targetId)
    {
        var transport = await WebSocketTransport.ConnectAsync(socketUrl, CancellationToken.None);
        var driver = new PageDriver(new CdpConnection(transport), targetId);
        await driver.EvaluateAsync("1");
        return driver;
    }

    /// <summary>Evaluates an expression (awaiting a promise) and returns its JSON value; a thrown error fails the test.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        // A promise that never settles is a failure to report, not a test run that never ends.
        var result = await _cdp.SendAsync("Runtime.evaluate", new { expression, awaitPromise = true, returnByValue = true }).WaitAsync(StepTimeout);
        if (result.TryGetProperty("exceptionDetails", out var error))
            throw new InvalidOperationException($"{expression} threw: {error.GetProperty("exception").GetProperty("description").GetString()}");
        return result.GetProperty("result").TryGetProperty("value", out var value) ? value.Clone() : default;
    }

    /// <summary>A DevTools command on this page's connection.</summary>
    public Task<JsonElement> SendAsync(string method, object? parameters = null) => _cdp.SendAsync(method, parameters).WaitAsync(StepTimeout);

    public static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    public async Task<string?> TextAsync(string expression) => (await EvaluateAsync(expression)).GetString();

    /// <summary>Waits until the expression is truthy, as a person waits for the screen to show something.</summary>
    public async Task WaitForAsync(string condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            try
            {
                var value = await EvaluateAsync($"Boolean({condition})");
                if (value.ValueKind == JsonValueKind.True)
                    return;
            }
            catch (Exception e) when (e is InvalidOperationException or CdpException && DateTime.UtcNow < deadline)
            {
                // The page is between documents.
            }
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Timed out waiting for {what} (page at {await TextAsync("location.href")}).");
            await Task.Delay(100);
        }
    }

    public Task WaitForTextAsync(string text, TimeSpan? timeout = null) =>
        WaitForAsync($"document.body && document.body.innerText.includes({JsonSerializer.Serialize(text)})", $"the text \"{text}\"", timeout);

    /// <summary>Clicks the middle of the first element matching the selector, with the mouse, once it is there.</summary>
    public Task ClickAsync(string selector) =>
        ClickElementAsync($"document.querySelector({JsonSerializer.Serialize(selector)})", selector);

    /// <summary>Clicks the first button whose text includes <paramref name="text"/> ("Start call"), with the mouse, once it is there.</summary>
    public Task ClickButtonAsync(string text) =>
        ClickElementAsync($"[...document.querySelectorAll('button')].find(b => b.innerText.includes({JsonSerializer.Serialize(text)}))", $"the button \"{text}\"");

    private async Task ClickElementAsync(string element, string what)
    {
        await WaitForAsync(element, what);
        var box = await EvaluateAsync($$"""
            (() => { const e = {{element}}; if (!e) return null;
              e.scrollIntoView({ block: 'center' }); const r = e.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()
            """);
        Assert.True(box.ValueKind == JsonValueKind.Object, $"Nothing matches {what}.");
        var (x, y) = (box.GetProperty("x").GetDouble(), box.GetProperty("y").GetDouble());
        await SendAsync("Input.dispatchMouseEvent", new { type = "mouseMoved", x, y });
        await SendAsync("Input.dispatchMouseEvent", new { type = "mousePressed", x, y, button = "left", clickCount = 1 });
        await SendAsync("Input.dispatchMouseEvent", new { type = "mouseReleased", x, y, button = "left", clickCount = 1 });
    }

    /// <summary>Focuses the field and types into it, as keyboard input.</summary>
    public async Task TypeAsync(string selector, string text)
    {
        await EvaluateAsync($"document.querySelector({JsonSerializer.Serialize(selector)}).focus()");
        await SendAsync("Input.insertText", new { text });
    }

    public async Task ScreenshotAsync(string file)
    {
        var shot = await SendAsync("Page.captureScreenshot", new { format = "png" });
        await File.WriteAllBytesAsync(file, Convert.FromBase64String(shot.GetProperty("data").GetString()!));
    }

    public ValueTask DisposeAsync() => _cdp.DisposeAsync();
}
