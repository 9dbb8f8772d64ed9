using System.Collections.Concurrent;
using System.Text.Json;

namespace KamaChat.Desktop.Browser;

/// <summary>Who made a bridge call: the origin of the document it came from (as the browser reports it) and which page.</summary>
public sealed record BridgeCaller(string Origin, PageRole? Role);

/// <summary>Answers the page's bridge calls (see Bridge/bridge.js).</summary>
public interface IBridgeHandler
{
    /// <summary>The call's result (serialized to JSON for the page); throw <see cref="BridgeException"/> to reject it.</summary>
    Task<object?> HandleAsync(string method, JsonElement parameters, BridgeCaller caller, CancellationToken cancellationToken);
}

/// <summary>A call the page may not make, or made wrong; its message reaches the page's rejected promise.</summary>
public sealed class BridgeException(string message) : Exception(message);

/// <summary>
/// The native bridge in the app's pages: a DevTools binding and bridge.js added to every document before its own
/// scripts, calls answered into the frame that made them, events sent to the page. Calls are judged by the origin of
/// the execution context they ran in, as Chromium reports it; the script itself holds no secrets.
/// </summary>
internal sealed class PageBridge(CdpConnection cdp, IBridgeHandler handler, Func<string, PageRole?> roleOf) : IDisposable
{
    private const string Binding = "__kamachatDesktopCall";
    private static readonly string BridgeScript = Resources.Read("bridge.js");

    // Execution contexts per session, with the origin Chromium gives each: a call is judged by where it ran.
    private readonly ConcurrentDictionary<(string Session, int Context), string> _contexts = new();
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Gives a page (attached, possibly paused before its first script) the binding and the bridge.</summary>
    public async Task SetUpAsync(string sessionId)
    {
        await cdp.SendAsync("Runtime.addBinding", new { name = Binding }, sessionId);
        await cdp.SendAsync("Page.enable", sessionId: sessionId);
        await cdp.SendAsync("Page.addScriptToEvaluateOnNewDocument", new { source = BridgeScript }, sessionId);
        await cdp.SendAsync("Runtime.enable", sessionId: sessionId);
    }

    public void OnEvent(CdpEvent e)
    {
        if (e.SessionId is not { } sessionId)
            return;
        switch (e.Method)
        {
            case "Runtime.executionContextCreated":
                var context = e.Params.GetProperty("context");
                _contexts[(sessionId, context.GetProperty("id").GetInt32())] = context.GetProperty("origin").GetString() ?? "";
                break;
            case "Runtime.executionContextDestroyed":
                _contexts.TryRemove((sessionId, e.Params.GetProperty("executionContextId").GetInt32()), out _);
                break;
            case "Runtime.executionContextsCleared":
                Forget(sessionId);
                break;
            case "Runtime.bindingCalled" when e.Params.GetProperty("name").GetString() == Binding:
                _ = CallAsync(sessionId, e.Params);
                break;
        }
    }

    public void Forget(string sessionId)
    {
        foreach (var key in _contexts.Keys.Where(key => key.Session == sessionId))
            _contexts.TryRemove(key, out _);
    }

    /// <summary>Calls still being answered are cancelled (the browser is closing).</summary>
    public void Stop() => _stop.Cancel();

    public void Dispose() => _stop.Dispose();

    private async Task CallAsync(string sessionId, JsonElement call)
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
            var caller = new BridgeCaller(_contexts.TryGetValue((sessionId, contextId), out var origin) ? origin : "", roleOf(sessionId));
            var result = await handler.HandleAsync(method, parameters, caller, _stop.Token);
            reply = new { reply = id, result };
        }
        catch (BridgeException e)
        {
            reply = new { reply = id, error = e.Message };
        }
        try
        {
            await EvaluateAsync(sessionId, $"globalThis.__kamachatDesktopDeliver?.({JsonSerializer.Serialize(reply, CdpJson.Options)})", contextId);
        }
        catch (Exception e) when (e is CdpException or CdpClosedException or OperationCanceledException)
        {
            // The page went away before its answer: nobody to tell.
        }
    }

    /// <summary>Sends an event to the page (see the events in bridge.js).</summary>
    public Task SendEventAsync(string sessionId, string name, object detail)
    {
        var message = JsonSerializer.Serialize(new { @event = name, detail }, CdpJson.Options);
        return EvaluateAsync(sessionId, $"globalThis.__kamachatDesktopDeliver?.({message})", contextId: null);
    }

    private Task<JsonElement> EvaluateAsync(string sessionId, string expression, int? contextId) =>
        cdp.SendAsync("Runtime.evaluate", new { expression, contextId, awaitPromise = false }, sessionId);
}
