using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KamaChat.Desktop.Browser;

/// <summary>How DevTools protocol messages travel: Chromium's debugging pipe here, a WebSocket in the tests.</summary>
public interface ICdpTransport : IAsyncDisposable
{
    Task SendAsync(string message, CancellationToken cancellationToken);

    /// <summary>The next whole message, or null once the other side has gone.</summary>
    Task<string?> ReceiveAsync(CancellationToken cancellationToken);
}

/// <summary>An event from the browser: its method, its parameters, and the target session it came from (null: the browser).</summary>
public sealed record CdpEvent(string Method, JsonElement Params, string? SessionId);

/// <summary>A Chrome DevTools Protocol client: numbered commands with replies, and events, over one transport.</summary>
public sealed class CdpConnection : IAsyncDisposable
{
    private readonly ICdpTransport _transport;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Task _reader;
    private long _nextId;

    public CdpConnection(ICdpTransport transport)
    {
        _transport = transport;
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>Raised on the reader task for every event; handlers must not block.</summary>
    public event Action<CdpEvent>? EventReceived;

    /// <summary>Completes when the browser closes the connection (it exited, or its last window closed).</summary>
    public Task Closed => _closed.Task;

    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<JsonElement> SendAsync(string method, object? parameters = null, string? sessionId = null, CancellationToken cancellationToken = default)
    {
        var id = Interlocked.Increment(ref _nextId);
        var message = new JsonObject
        {
            ["id"] = id,
            ["method"] = method,
            ["params"] = parameters is null ? new JsonObject() : JsonSerializer.SerializeToNode(parameters, CdpJson.Options),
        };
        if (sessionId is not null)
            message["sessionId"] = sessionId;

        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        // Closed already: the reader has failed everything pending before this one was added.
        if (_closed.Task.IsCompleted)
            reply.TrySetException(new CdpClosedException());
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _transport.SendAsync(message.ToJsonString(), cancellationToken);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.WebSockets.WebSocketException)
        {
            _pending.TryRemove(id, out _);
            throw new CdpClosedException();
        }
        finally
        {
            _sendLock.Release();
        }
        using var registration = cancellationToken.Register(() => reply.TrySetCanceled(cancellationToken));
        return await reply.Task;
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (await _transport.ReceiveAsync(_stop.Token) is { } text)
                Dispatch(text);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or System.Net.WebSockets.WebSocketException)
        {
            // The browser went away; everyone waiting hears about it below.
        }
        foreach (var (_, pending) in _pending)
            pending.TrySetException(new CdpClosedException());
        _closed.TrySetResult();
    }

    private void Dispatch(string text)
    {
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        if (root.TryGetProperty("id", out var idElement))
        {
            if (!_pending.TryRemove(idElement.GetInt64(), out var reply))
                return;
            if (root.TryGetProperty("error", out var error))
                reply.TrySetException(new CdpException(error.GetProperty("message").GetString() ?? "error"));
            else
                reply.TrySetResult(root.TryGetProperty("result", out var result) ? result.Clone() : default);
            return;
        }
        var sessionId = root.TryGetProperty("sessionId", out var session) ? session.GetString() : null;
        var parameters = root.TryGetProperty("params", out var p) ? p.Clone() : default;
        EventReceived?.Invoke(new CdpEvent(root.GetProperty("method").GetString()!, parameters, sessionId));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _stop.CancelAsync();
        await _transport.DisposeAsync();
        await _reader;
        _stop.Dispose();
        _sendLock.Dispose();
    }

    private int _disposed;
}

public static class CdpJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}

public sealed class CdpException(string message) : Exception(message);

public sealed class CdpClosedException() : Exception("The browser closed the DevTools connection.");
