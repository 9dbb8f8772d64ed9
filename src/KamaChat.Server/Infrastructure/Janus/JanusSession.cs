using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KamaChat.Server.Infrastructure.Janus;

/// <summary>
/// One session on Janus's HTTP API (https://janus.conf.meetecho.com/docs/rest.html). Requests are POSTs; what Janus
/// pushes arrives on a long poll (GET on the session) that runs for the session's life. Keep-alives go every third
/// of Janus's session_timeout (read from its info): a poll refreshes the session only when it starts, and Janus holds
/// a poll for up to 30 s, as long as the session_timeout this server gives a local Janus. When Janus forgets the session (it restarted, or the session timed out) <see cref="Closed"/> completes, every
/// request still waiting fails, and the owner makes a new session.
/// </summary>
public sealed class JanusSession : IAsyncDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(75);

    private readonly HttpClient _http;
    private readonly JanusEndpoint _endpoint;
    private readonly ILogger _logger;
    private readonly string _url;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly ConcurrentDictionary<long, JanusHandle> _handles = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _poll = Task.CompletedTask;
    private Task _keepAlive = Task.CompletedTask;

    private JanusSession(HttpClient http, JanusEndpoint endpoint, long id, ILogger logger)
    {
        _http = http;
        _endpoint = endpoint;
        _logger = logger;
        Id = id;
        _url = $"{endpoint.ApiUrl.AbsoluteUri.TrimEnd('/')}/{id.ToString(CultureInfo.InvariantCulture)}";
    }

    public long Id { get; }

    /// <summary>Completes when the session is gone: Janus forgot it, became unreachable, or it was disposed.</summary>
    public Task Closed => _closed.Task;

    public bool IsClosed => _closed.Task.IsCompleted;

    public JanusEndpoint Endpoint => _endpoint;

    /// <summary>Creates a session and starts its long poll.</summary>
    public static async Task<JanusSession> CreateAsync(HttpClient http, JanusEndpoint endpoint, ILogger logger, CancellationToken cancellationToken)
    {
        var reply = await PostAsync(http, endpoint, endpoint.ApiUrl.AbsoluteUri, new JsonObject { ["janus"] = "create" }, cancellationToken);
        var session = new JanusSession(http, endpoint, reply["data"]!["id"]!.GetValue<long>(), logger);
        session._poll = Task.Run(session.PollAsync, CancellationToken.None);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(RequestTimeout);
            var info = await http.GetFromJsonAsync<JsonObject>(endpoint.ApiUrl.AbsoluteUri.TrimEnd('/') + "/info", timeout.Token);
            if (info?["session-timeout"]?.GetValue<int>() is > 0 and var seconds)
                session._keepAlive = Task.Run(() => session.KeepAliveAsync(TimeSpan.FromSeconds(Math.Max(1, seconds / 3.0))), CancellationToken.None);
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>Attaches a plugin (e.g. <c>janus.plugin.videoroom</c>) and returns the handle.</summary>
    public async Task<JanusHandle> AttachAsync(string plugin, CancellationToken cancellationToken)
    {
        var reply = await PostAsync(_url, new JsonObject { ["janus"] = "attach", ["plugin"] = plugin }, cancellationToken);
        var handle = new JanusHandle(this, reply["data"]!["id"]!.GetValue<long>());
        _handles[handle.Id] = handle;
        return handle;
    }

    /// <summary>A request Janus answers at once ("success" or "ack"); the core's errors are thrown.</summary>
    internal async Task<JsonObject> PostAsync(string url, JsonObject request, CancellationToken cancellationToken)
    {
        try
        {
            return await PostAsync(_http, _endpoint, url, request, cancellationToken);
        }
        catch (JanusException e) when (e.Code == JanusException.SessionNotFound)
        {
            Close();
            throw;
        }
    }

    /// <summary>
    /// A request whose result Janus sends later as an event with the same transaction (plugin "message"s that
    /// are asynchronous, such as VideoRoom's join and publish). The transaction is registered before the POST:
    /// the event can arrive on the long poll before the POST's "ack" does.
    /// </summary>
    internal async Task<JsonObject> PostAndWaitAsync(string url, JsonObject request, CancellationToken cancellationToken)
    {
        var transaction = NewTransaction();
        request["transaction"] = transaction;
        var result = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[transaction] = result;
        try
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            var reply = await PostAsync(url, request, cancellationToken);
            if (reply["janus"]?.GetValue<string>() != "ack")
                return reply;
            return await result.Task.WaitAsync(RequestTimeout, cancellationToken);
        }
        finally
        {
            _pending.TryRemove(transaction, out _);
        }
    }

    internal string HandleUrl(long handleId) => $"{_url}/{handleId.ToString(CultureInfo.InvariantCulture)}";

    internal void Forget(long handleId) => _handles.TryRemove(handleId, out _);

    private static async Task<JsonObject> PostAsync(HttpClient http, JanusEndpoint endpoint, string url, JsonObject request, CancellationToken cancellationToken)
    {
        request["transaction"] ??= NewTransaction();
        if (endpoint.ApiSecret is not null)
            request["apisecret"] = endpoint.ApiSecret;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        using var response = await http.PostAsJsonAsync(url, request, timeout.Token);
        response.EnsureSuccessStatusCode();
        var reply = await response.Content.ReadFromJsonAsync<JsonObject>(timeout.Token)
            ?? throw new JanusException(0, "an empty answer");
        JanusException.ThrowIfError(reply);
        return reply;
    }

    private static string NewTransaction() => Convert.ToHexString(RandomNumberGenerator.GetBytes(9));

    private async Task PollAsync()
    {
        var url = _url + "?maxev=20" + (_endpoint.ApiSecret is { } secret ? "&apisecret=" + Uri.EscapeDataString(secret) : "");
        var failures = 0;
        while (!_stop.IsCancellationRequested && !IsClosed)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(PollTimeout);
                using var response = await _http.GetAsync(url, timeout.Token);
                response.EnsureSuccessStatusCode();
                var events = await response.Content.ReadFromJsonAsync<JsonNode>(timeout.Token);
                failures = 0;
                var messages = events switch
                {
                    JsonArray array => array.OfType<JsonObject>(),
                    JsonObject single => [single],
                    _ => [],
                };
                foreach (var message in messages)
                    Dispatch(message);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException)
            {
                // Janus is unreachable. A few seconds of trying covers a hiccup; after that the session is as good as
                // gone (Janus drops it after its session_timeout), so the owner starts over with a new one.
                if (++failures >= 3)
                {
                    _logger.LogWarning(e, "Janus session {Session} lost: Janus at {Url} does not answer", Id, _endpoint.ApiUrl);
                    break;
                }
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        Close();
    }

    private async Task KeepAliveAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token) && !IsClosed)
            {
                try
                {
                    await PostAsync(_url, new JsonObject { ["janus"] = "keepalive" }, _stop.Token);
                }
                catch (Exception e) when (e is HttpRequestException or JsonException or JanusException
                                              || (e is OperationCanceledException && !_stop.IsCancellationRequested))
                {
                    // A missed keep-alive is tried again on the next tick; the long poll decides when Janus is gone
                    // (and a 458 has closed the session already).
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    private void Dispatch(JsonObject message)
    {
        var kind = message["janus"]?.GetValue<string>() ?? "";
        switch (kind)
        {
            case "keepalive":
                return;
            case "timeout":
                Close();
                return;
            case "error" when ErrorCode(message) == JanusException.SessionNotFound:
                Close();
                return;
        }
        if (message["transaction"]?.GetValue<string>() is { } transaction && _pending.TryRemove(transaction, out var waiting))
        {
            waiting.TrySetResult(message);
            return;
        }
        if (message["sender"]?.GetValue<long>() is { } sender && _handles.TryGetValue(sender, out var handle))
            handle.Deliver(new JanusEvent(kind, message["plugindata"]?["data"] as JsonObject, Jsep.From(message["jsep"]), message));
    }

    private static int? ErrorCode(JsonObject message) => (message["error"] as JsonObject)?["code"]?.GetValue<int>();

    private void Close()
    {
        if (!_closed.TrySetResult())
            return;
        foreach (var (_, waiting) in _pending)
            waiting.TrySetException(new JanusException(JanusException.SessionNotFound, "the Janus session is gone"));
        foreach (var (_, handle) in _handles)
            handle.Deliver(new JanusEvent("detached", null, null, new JsonObject { ["janus"] = "detached" }));
    }

    /// <summary>Destroys the session on Janus (best effort) and stops the long poll.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!IsClosed)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await PostAsync(_http, _endpoint, _url, new JsonObject { ["janus"] = "destroy" }, timeout.Token);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JanusException or JsonException)
            {
                // Janus will time the session out by itself.
            }
        }
        await _stop.CancelAsync();
        Close();
        await _poll;
        await _keepAlive;
        _stop.Dispose();
    }
}
