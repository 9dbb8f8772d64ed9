using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace KamaChat.Server.Infrastructure.Janus;

/// <summary>
/// A plugin handle in a <see cref="JanusSession"/>: one PeerConnection's worth of signalling with a plugin.
/// What Janus pushes for it (that is not the answer to a request) is readable from <see cref="Events"/>.
/// </summary>
public sealed class JanusHandle : IAsyncDisposable
{
    // Nobody may be reading (a control handle): keep the newest events rather than grow without bound.
    private readonly Channel<JanusEvent> _events = Channel.CreateBounded<JanusEvent>(
        new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    internal JanusHandle(JanusSession session, long id)
    {
        Session = session;
        Id = id;
        Url = session.HandleUrl(id);
    }

    public JanusSession Session { get; }

    public long Id { get; }

    private string Url { get; }

    /// <summary>Events for this handle; completes after "detached" (the handle or its session is gone).</summary>
    public ChannelReader<JanusEvent> Events => _events.Reader;

    /// <summary>
    /// A plugin request Janus answers at once (VideoRoom: create, destroy, exists, allowed, kick, moderate,
    /// listparticipants): the plugin's data, or its error as a <see cref="JanusException"/>.
    /// </summary>
    public async Task<JsonObject> RequestAsync(JsonObject body, CancellationToken cancellationToken)
    {
        var reply = await Session.PostAsync(Url, new JsonObject { ["janus"] = "message", ["body"] = body }, cancellationToken);
        return JanusException.PluginData(reply);
    }

    /// <summary>
    /// A plugin request answered by a later event (VideoRoom: join, publish, configure, start, leave), with an
    /// optional offer or answer: the plugin's data and SDP, or its error as a <see cref="JanusException"/>.
    /// </summary>
    public async Task<JanusReply> MessageAsync(JsonObject body, Jsep? jsep, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["janus"] = "message", ["body"] = body };
        if (jsep is not null)
            request["jsep"] = jsep.ToJson();
        var reply = await Session.PostAndWaitAsync(Url, request, cancellationToken);
        return new JanusReply(JanusException.PluginData(reply), Jsep.From(reply["jsep"]));
    }

    /// <summary>Relays a browser's ICE candidate; null says the browser has gathered them all.</summary>
    public async Task TrickleAsync(IceCandidate? candidate, CancellationToken cancellationToken)
    {
        JsonObject value = candidate is null
            ? new JsonObject { ["completed"] = true }
            : new JsonObject { ["candidate"] = candidate.Candidate, ["sdpMid"] = candidate.SdpMid, ["sdpMLineIndex"] = candidate.SdpMLineIndex };
        await Session.PostAsync(Url, new JsonObject { ["janus"] = "trickle", ["candidate"] = value }, cancellationToken);
    }

    /// <summary>Closes this handle's PeerConnection (the handle stays attached).</summary>
    public Task HangupAsync(CancellationToken cancellationToken) =>
        Session.PostAsync(Url, new JsonObject { ["janus"] = "hangup" }, cancellationToken);

    internal void Deliver(JanusEvent e)
    {
        _events.Writer.TryWrite(e);
        if (e.Kind == "detached")
        {
            _events.Writer.TryComplete();
            Session.Forget(Id);
        }
    }

    /// <summary>Detaches from the plugin (which ends the PeerConnection and leaves any room); best effort.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!Session.IsClosed && !_events.Reader.Completion.IsCompleted)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await Session.PostAsync(Url, new JsonObject { ["janus"] = "detach" }, timeout.Token);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JanusException or JsonException)
            {
                // Gone already, or Janus is unreachable: the session's end takes the handle with it.
            }
        }
        Session.Forget(Id);
        _events.Writer.TryComplete();
    }
}
