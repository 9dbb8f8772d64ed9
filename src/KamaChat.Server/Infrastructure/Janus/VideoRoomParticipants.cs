using System.Text.Json.Nodes;

namespace KamaChat.Server.Infrastructure.Janus;

/// <summary>One stream a publisher sends to Janus (its m-line's mid and kind).</summary>
public sealed record PublishedStream(string Mid, MediaKinds Kind);

/// <summary>A stream of a subscription: its mid in the subscriber's SDP, whose feed it carries, and whether it flows.</summary>
public sealed record SubscribedStream(string Mid, long FeedId, string? FeedDisplay, string Kind, bool Active);

/// <summary>A publisher's stream to subscribe to: all of a publisher's streams, or the one with this mid.</summary>
public sealed record VideoRoomFeed(long PublisherId, string? Mid = null);

/// <summary>An offer asked to send media the participant may not publish (audio without SPEAK, video without VIDEO).</summary>
public sealed class MediaNotAllowedException(MediaKinds refused) : Exception($"Not allowed to publish {refused}.")
{
    public MediaKinds Refused { get; } = refused;
}

/// <summary>
/// A participant the server joined to a room on a client's behalf. The client's offers and candidates come through
/// here, so the server decides what it publishes: an offer that would send a kind of media the participant may not
/// publish is refused before Janus sees it, and a kind taken away later (server mute, a role change) is stopped at
/// Janus with VideoRoom's "moderate" on each of its streams, which Janus enforces whatever the client sends.
/// The answer goes back to the client only after that, so no media flows before the restriction is in place.
/// </summary>
public sealed class VideoRoomPublisher : IAsyncDisposable
{
    private readonly VideoRooms _rooms;
    private readonly JanusHandle _handle;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<string> _moderated = [];
    private IReadOnlyList<PublishedStream> _streams = [];
    private bool _published;

    internal VideoRoomPublisher(VideoRooms rooms, JanusHandle handle, long roomId, long participantId, long privateId, MediaKinds allowed)
    {
        _rooms = rooms;
        _handle = handle;
        RoomId = roomId;
        ParticipantId = participantId;
        PrivateId = privateId;
        Allowed = allowed;
    }

    public long RoomId { get; }

    public long ParticipantId { get; }

    /// <summary>What the participant's own subscriptions present to Janus (the room requires it).</summary>
    public long PrivateId { get; }

    /// <summary>What this participant may publish now.</summary>
    public MediaKinds Allowed { get; private set; }

    /// <summary>What they may offer but Janus does not forward now (a moderator's server mute).</summary>
    public MediaKinds Silenced { get; private set; }

    public IReadOnlyList<PublishedStream> Streams => _streams;

    /// <summary>Janus's events for this participant (new publishers in the room, "leaving" with reason "kicked", "hangup", ...).</summary>
    public System.Threading.Channels.ChannelReader<JanusEvent> Events => _handle.Events;

    /// <summary>
    /// Publishes (or renegotiates) with the client's offer and returns Janus's answer for the client.
    /// Throws <see cref="MediaNotAllowedException"/> when the offer would send media that is not allowed.
    /// </summary>
    public async Task<Jsep> PublishAsync(Jsep offer, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var refused = SdpMedia.Sending(offer.Sdp) & ~Allowed;
            if (refused != MediaKinds.None)
                throw new MediaNotAllowedException(refused);
            var reply = await _handle.MessageAsync(new JsonObject { ["request"] = _published ? "configure" : "publish" }, offer, cancellationToken);
            _published = true;
            if (reply.Data["streams"] is JsonArray streams)
                _streams = streams.OfType<JsonObject>()
                    .Select(s => new PublishedStream(s["mid"]!.GetValue<string>(), s["type"]?.GetValue<string>() switch
                    {
                        "audio" => MediaKinds.Audio,
                        "video" => MediaKinds.Video,
                        _ => MediaKinds.None,
                    }))
                    .ToList();
            await EnforceAsync(cancellationToken);
            return reply.Jsep ?? throw new JanusException(0, "Janus sent no answer to the offer");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Changes what the participant may publish and what Janus forwards of it; streams of kinds no longer allowed, or
    /// silenced, stop at Janus at once (and flow again when that is lifted).
    /// </summary>
    public async Task RestrictAsync(MediaKinds allowed, MediaKinds silenced, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Allowed = allowed;
            Silenced = silenced;
            await EnforceAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task TrickleAsync(IceCandidate? candidate, CancellationToken cancellationToken) => _handle.TrickleAsync(candidate, cancellationToken);

    /// <summary>Stops publishing (the participant stays in the room and keeps its subscriptions).</summary>
    public async Task UnpublishAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_published)
                return;
            await _handle.MessageAsync(new JsonObject { ["request"] = "unpublish" }, null, cancellationToken);
            (_published, _streams) = (false, []);
            _moderated.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task EnforceAsync(CancellationToken cancellationToken)
    {
        foreach (var stream in _streams.Where(s => s.Kind != MediaKinds.None))
        {
            var muted = (stream.Kind & Allowed & ~Silenced) == MediaKinds.None;
            if (muted == _moderated.Contains(stream.Mid))
                continue;
            await _rooms.ModerateAsync(RoomId, ParticipantId, stream.Mid, muted, cancellationToken);
            if (muted)
                _moderated.Add(stream.Mid);
            else
                _moderated.Remove(stream.Mid);
        }
    }

    /// <summary>Leaves the room: detaching ends the PeerConnection and tells the others this publisher is gone.</summary>
    public async ValueTask DisposeAsync()
    {
        await _handle.DisposeAsync();
        _gate.Dispose();
    }
}

/// <summary>
/// A subscription (one PeerConnection from Janus to a client) to streams in a room. Janus makes the offer
/// (<see cref="Offer"/>); the client's answer goes to <see cref="StartAsync"/>.
/// </summary>
public sealed class VideoRoomSubscriber : IAsyncDisposable
{
    private readonly JanusHandle _handle;

    internal VideoRoomSubscriber(JanusHandle handle, long roomId, Jsep offer, JsonObject data)
    {
        _handle = handle;
        RoomId = roomId;
        Offer = offer;
        Streams = ReadStreams(data);
    }

    /// <summary>The subscription's streams as of Janus's latest offer (which mid carries whose media).</summary>
    public IReadOnlyList<SubscribedStream> Streams { get; private set; }

    public long RoomId { get; }

    /// <summary>Janus's latest offer for the client.</summary>
    public Jsep Offer { get; private set; }

    public System.Threading.Channels.ChannelReader<JanusEvent> Events => _handle.Events;

    /// <summary>Starts media with the client's answer.</summary>
    public Task StartAsync(Jsep answer, CancellationToken cancellationToken) =>
        _handle.MessageAsync(new JsonObject { ["request"] = "start" }, answer, cancellationToken);

    /// <summary>Adds and removes streams; returns Janus's new offer for the client (then <see cref="StartAsync"/> again).</summary>
    public async Task<Jsep?> UpdateAsync(IReadOnlyList<VideoRoomFeed> subscribe, IReadOnlyList<VideoRoomFeed> unsubscribe, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["request"] = "update" };
        if (subscribe.Count > 0)
            body["subscribe"] = FeedList(subscribe);
        if (unsubscribe.Count > 0)
            body["unsubscribe"] = FeedList(unsubscribe);
        var reply = await _handle.MessageAsync(body, null, cancellationToken);
        if (reply.Jsep is { } offer)
            Offer = offer;
        if (reply.Data["streams"] is JsonArray)
            Streams = ReadStreams(reply.Data);
        return reply.Jsep;
    }

    public Task TrickleAsync(IceCandidate? candidate, CancellationToken cancellationToken) => _handle.TrickleAsync(candidate, cancellationToken);

    /// <summary>Stops (or resumes) Janus forwarding these streams to the subscriber, whatever the client does.</summary>
    public Task SendAsync(IReadOnlyList<string> mids, bool send, CancellationToken cancellationToken) =>
        _handle.MessageAsync(new JsonObject
        {
            ["request"] = "configure",
            ["streams"] = new JsonArray(mids.Select(mid => (JsonNode)new JsonObject { ["mid"] = mid, ["send"] = send }).ToArray()),
        }, null, cancellationToken);

    private static List<SubscribedStream> ReadStreams(JsonObject data) =>
        (data["streams"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(s => s["feed_id"] is not null && s["mid"] is not null)
            .Select(s => new SubscribedStream(
                s["mid"]!.GetValue<string>(),
                s["feed_id"]!.GetValue<long>(),
                s["feed_display"]?.GetValue<string>(),
                s["type"]?.GetValue<string>() ?? "data",
                s["active"]?.GetValue<bool>() ?? true))
            .ToList();

    internal static JsonArray FeedList(IReadOnlyList<VideoRoomFeed> feeds) =>
        new(feeds.Select(f => (JsonNode)(f.Mid is null
            ? new JsonObject { ["feed"] = f.PublisherId }
            : new JsonObject { ["feed"] = f.PublisherId, ["mid"] = f.Mid })).ToArray());

    public ValueTask DisposeAsync() => _handle.DisposeAsync();
}
