using System.Globalization;
using System.Text.Json;
using KamaChat.Server.Features.Gateway;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// A client that follows the gateway's delivery contract, as the web client does: per stream it applies event
/// sequence N+1 after N, drops what it has already applied, and calls Resume when it sees a gap or reconnects.
/// It watches one channel and records the message ids it applied, in order.
/// </summary>
public sealed class ResumingClient : IAsyncDisposable
{
    private readonly Snowflake _channelId;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TaskCompletionSource<ReadyPayload> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _cursor;

    public HubConnection Connection { get; }

    public List<string> Applied { get; } = [];

    /// <summary>What was applied at each sequence number, and how it arrived (live or by Resume), for a failure to show.</summary>
    public List<string> Trail { get; } = [];

    public int DuplicatesDropped { get; private set; }

    public int Resumes { get; private set; }

    public int? NodeId { get; private set; }

    public ResumingClient(Uri gateway, string accessToken, Snowflake channelId)
    {
        _channelId = channelId;
        Connection = new HubConnectionBuilder()
            .WithUrl(gateway, options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                options.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
            })
            .WithAutomaticReconnect([TimeSpan.Zero, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1),
                TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)])
            .Build();
        Connection.On<ReadyPayload>("Ready", async ready =>
        {
            NodeId = ready.NodeId;
            if (_ready.TrySetResult(ready))
            {
                await _gate.WaitAsync();
                _cursor = ready.Cursors.Channels!.GetValueOrDefault(_channelId.ToString());
                _gate.Release();
            }
            else
            {
                // A reconnect: fill whatever happened while away. Not awaited here: the client's receive loop
                // waits for handlers, so invoking the hub from inside one would deadlock.
                _ = Task.Run(ResumeAsync);
            }
        });
        Connection.On<GatewayEvent>("Event", OnEventAsync);
    }

    public async Task StartAsync()
    {
        await Connection.StartAsync();
        await _ready.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    private async Task OnEventAsync(GatewayEvent e)
    {
        if (e.Scope != "channel" || e.ScopeId != _channelId)
            return;
        var gap = false;
        await _gate.WaitAsync();
        try
        {
            if (e.Sequence <= _cursor)
                DuplicatesDropped++;
            else if (e.Sequence == _cursor + 1)
                Apply(e, "live");
            else
            {
                gap = true;
                Trail.Add($"gap: got {e.Sequence} after {_cursor}");
            }
        }
        finally
        {
            _gate.Release();
        }
        if (gap)
            _ = Task.Run(ResumeAsync);
    }

    public async Task ResumeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            Resumes++;
            var result = await Connection.InvokeAsync<ResumeResult>("Resume",
                new StreamCursors(new() { [_channelId.ToString()] = _cursor }, null, null));
            foreach (var e in result.Events.Where(x => x.ScopeId == _channelId).OrderBy(x => x.Sequence))
            {
                if (e.Sequence <= _cursor)
                    DuplicatesDropped++;
                else if (e.Sequence == _cursor + 1)
                    Apply(e, "resume");
            }
        }
        catch (Exception e) when (e is HubException or InvalidOperationException or TaskCanceledException)
        {
            // The connection is going away; the reconnect will resume again.
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Apply(GatewayEvent e, string how)
    {
        _cursor = e.Sequence;
        Trail.Add($"{e.Sequence} {how} {e.Type} {(e.Type == "MessageCreated" ? JsonDocument.Parse(e.Data).RootElement.GetProperty("content").GetString() : "")}");
        if (e.Type == "MessageCreated")
            Applied.Add(JsonDocument.Parse(e.Data).RootElement.GetProperty("content").GetString()!);
    }

    public async Task<bool> WaitForAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            await _gate.WaitAsync();
            var done = Applied.Count >= count;
            _gate.Release();
            if (done)
                return true;
            await Task.Delay(200);
        }
        // A last look, as a client would on a timer: a gap at the very end has no later event to reveal it.
        await ResumeAsync();
        return Applied.Count >= count;
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
