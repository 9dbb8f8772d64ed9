using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Gateway;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Janus;
using Microsoft.AspNetCore.SignalR;

namespace KamaChat.Server.Features.Calls;

/// <summary>
/// Voice channels through Janus. A user in a voice channel is one gateway connection on this node holding one Janus
/// VideoRoom participant (the channel's room, made on demand) and at most one subscription: the server relays the
/// client's SDP both ways, so the client never holds a Janus secret, and what it may publish follows its SPEAK and
/// VIDEO permissions at Janus. Voice states live here, in memory of the node holding the connection, and go out as
/// "VoiceState" signals to everyone who can see the channel ("VoiceFeeds" tells a participant that media in its room
/// started or stopped); they end with the connection (leave, switching channel, socket closed, session revoked) or
/// when a permission check after a membership or role change says CONNECT is gone.
/// </summary>
public sealed partial class VoiceChannels(
    VideoRooms rooms, MediaServer mediaServer, IceServers iceServers, IGatewayFanout fanout, IHubContext<GatewayHub> hub, IServiceScopeFactory scopes,
    TimeProvider time, ILogger<VoiceChannels> logger)
{
    private sealed class Session(string connectionId, Snowflake channelId, Snowflake? serverId, VideoRoomPublisher publisher)
    {
        public string ConnectionId { get; } = connectionId;
        public Snowflake ChannelId { get; } = channelId;
        public Snowflake? ServerId { get; } = serverId;
        public VideoRoomPublisher Publisher { get; } = publisher;
        public VideoRoomSubscriber? Subscriber { get; set; }
        public HashSet<long> Feeds { get; } = [];
        public VoiceSelfState Self { get; set; } = new(false, false, false, false);
        public VoiceModeration Moderation { get; set; } = VoiceModeration.None;
        public SemaphoreSlim Gate { get; } = new(1, 1);
    }

    private readonly ConcurrentDictionary<Snowflake, Session> _sessions = new();

    /// <summary>The voice states of these channels (for Ready and JoinVoice).</summary>
    public IReadOnlyList<VoiceState> StatesIn(IReadOnlySet<Snowflake> channelIds) =>
        _sessions.Where(s => channelIds.Contains(s.Value.ChannelId)).Select(s => State(s.Key, s.Value)).ToList();

    /// <summary>Joins (or moves) the user to a voice channel they may CONNECT to, leaving any other first.</summary>
    public async Task<VoiceJoined> JoinAsync(GatewayConnection connection, ChannelAccess access, CancellationToken cancellationToken)
    {
        if (access.Channel.Type != ChannelType.Voice)
            throw new HubException("validation_failed: Only voice channels can be joined.");
        if (mediaServer.Janus is null)
            throw new HubException("unavailable: Voice needs a media server (Janus), and this server has none running.");
        // One call per user: joining from another connection (a second device, or this tab after the gateway
        // reconnected) ends the one held there, and that connection is told why.
        var elsewhere = _sessions.TryGetValue(connection.UserId, out var held) && held.ConnectionId != connection.ConnectionId;
        await EndAsync(connection.UserId, null, elsewhere ? VoiceEnded.AnotherDevice : null, CancellationToken.None);

        var channelId = access.Channel.Id;
        var moderation = await ModerationOfAsync(connection.UserId, access.Server?.ServerId, cancellationToken);
        var allowed = Allowed(access.Permissions);
        await rooms.EnsureRoomAsync(channelId.Value, new VideoRoomSettings("voice " + channelId), cancellationToken);
        await CheckUserLimitAsync(connection.UserId, access, cancellationToken);
        // Random, not the user id: a participant id is unique per room, and a quick rejoin must not meet its predecessor.
        var participantId = RandomNumberGenerator.GetInt32(1, int.MaxValue) * 1_000_000L + RandomNumberGenerator.GetInt32(0, 1_000_000);
        var publisher = await rooms.JoinAsync(channelId.Value, participantId, connection.UserId.ToString(), allowed, cancellationToken);
        // Nothing is published yet: this only sets what Janus will not forward once it is.
        await publisher.RestrictAsync(allowed, Silenced(moderation), cancellationToken);
        var session = new Session(connection.ConnectionId, channelId, access.Server?.ServerId, publisher) { Moderation = moderation };
        if (!_sessions.TryAdd(connection.UserId, session))
        {
            // Another join of the same user won the race: that one stands.
            await publisher.DisposeAsync();
            throw new HubException("conflict: Already joining a voice channel.");
        }
        _ = Task.Run(() => WatchAsync(session), CancellationToken.None);
        await AnnounceAsync(connection.UserId, session, left: false);
        return new VoiceJoined(channelId, iceServers.For(connection.UserId.Value),
            allowed.HasFlag(MediaKinds.Audio), allowed.HasFlag(MediaKinds.Video), StatesIn(new HashSet<Snowflake> { channelId }));
    }

    /// <summary>Publishes the client's offer (Janus refuses kinds it may not send) and returns Janus's answer.</summary>
    public async Task<string> PublishAsync(GatewayConnection connection, string sdp, CancellationToken cancellationToken)
    {
        var session = Mine(connection);
        try
        {
            var answer = await session.Publisher.PublishAsync(new Jsep("offer", sdp), cancellationToken);
            // The others subscribe when told something changed in the channel.
            await AnnounceAsync(connection.UserId, session, left: false);
            return answer.Sdp;
        }
        catch (MediaNotAllowedException e)
        {
            throw new HubException("missing_permission: " + (e.Refused.HasFlag(MediaKinds.Audio) ? "SPEAK" : "VIDEO") + " is needed to send that media.");
        }
    }

    /// <summary>
    /// Brings the client's subscription up to date with who publishes in the room now: Janus's new offer and what
    /// each mid carries, or null when nothing changed.
    /// </summary>
    public async Task<VoiceSubscription?> SubscribeAsync(GatewayConnection connection, CancellationToken cancellationToken)
    {
        var session = Mine(connection);
        await session.Gate.WaitAsync(cancellationToken);
        try
        {
            // Janus lets others subscribe once a publisher's media flows (and then tells the others' publisher handles,
            // see WatchAsync): until then it is not listed as publishing.
            var publishing = (await rooms.ListParticipantsAsync(session.ChannelId.Value, cancellationToken))
                .Where(p => p.Publishing && p.Id != session.Publisher.ParticipantId)
                .Select(p => p.Id)
                .ToHashSet();
            var added = publishing.Except(session.Feeds).Select(id => new VideoRoomFeed(id)).ToList();
            var removed = session.Feeds.Except(publishing).Any();
            if (added.Count == 0 && !removed)
                return null;
            Jsep? offer;
            var restart = session.Subscriber is null || removed;
            if (restart)
            {
                // Janus drops a departed publisher's streams from subscriptions and renegotiates on its own; a fresh
                // subscription is simpler for the client to follow than that offer arriving out of band.
                if (session.Subscriber is { } old)
                    await old.DisposeAsync();
                session.Subscriber = null;
                session.Feeds.Clear();
                if (publishing.Count == 0)
                    return null;
                session.Subscriber = await rooms.SubscribeAsync(session.ChannelId.Value, session.Publisher.PrivateId,
                    publishing.Select(id => new VideoRoomFeed(id)).ToList(), cancellationToken);
                offer = session.Subscriber.Offer;
            }
            else
            {
                offer = await session.Subscriber!.UpdateAsync(added, [], cancellationToken);
            }
            session.Feeds.Clear();
            session.Feeds.UnionWith(publishing);
            if (offer is null)
                return null;
            var streams = session.Subscriber!.Streams
                .Where(s => s.Active && Snowflake.TryParse(s.FeedDisplay, out _))
                .Select(s => new VoiceStream(s.Mid, Snowflake.Parse(s.FeedDisplay!, CultureInfo.InvariantCulture), s.Kind))
                .ToList();
            return new VoiceSubscription(offer.Sdp, streams, restart);
        }
        finally
        {
            session.Gate.Release();
        }
    }

    /// <summary>The client's answer to the latest subscription offer: media from Janus starts.</summary>
    public async Task AnswerAsync(GatewayConnection connection, string sdp, CancellationToken cancellationToken)
    {
        var session = Mine(connection);
        if (session.Subscriber is not { } subscriber)
            throw new HubException("validation_failed: There is no subscription offer to answer.");
        await subscriber.StartAsync(new Jsep("answer", sdp), cancellationToken);
        if (session.Moderation.Deaf)
            await DeafenAsync(session, true, cancellationToken);
    }

    public async Task SetSelfAsync(GatewayConnection connection, VoiceSelfState self)
    {
        var session = Mine(connection);
        // Camera and screen are shown to others only when the user may send them (what Janus forwards follows VIDEO too).
        var video = session.Publisher.Allowed.HasFlag(MediaKinds.Video);
        // Deafened means muted too, as in Discord.
        session.Self = self with { SelfMute = self.SelfMute || self.SelfDeaf, Video = self.Video && video, Stream = self.Stream && video };
        await AnnounceAsync(connection.UserId, session, left: false);
    }

    /// <summary>Leaves the user's voice channel (only if held by <paramref name="connectionId"/>, when given).</summary>
    public Task LeaveAsync(Snowflake userId, string? connectionId, CancellationToken cancellationToken) =>
        EndAsync(userId, connectionId, null, cancellationToken);

    /// <summary>
    /// Ends the user's call (only if held by <paramref name="connectionId"/>, when given). With a <paramref name="reason"/>
    /// (the server ended it, not the user), the connection that held it is told ("VoiceEnded"), so that client stops
    /// its media and says why; its own VoiceState could not tell it apart from a rejoin on a newer connection.
    /// </summary>
    private async Task EndAsync(Snowflake userId, string? connectionId, string? reason, CancellationToken cancellationToken, Snowflake? movedTo = null)
    {
        if (!_sessions.TryGetValue(userId, out var session) || (connectionId is not null && session.ConnectionId != connectionId))
            return;
        if (!_sessions.TryRemove(new KeyValuePair<Snowflake, Session>(userId, session)))
            return;
        if (reason is not null)
            await hub.Clients.Client(session.ConnectionId).SendAsync("VoiceEnded", new VoiceEnded(session.ChannelId, reason, movedTo), CancellationToken.None);
        try
        {
            if (session.Subscriber is { } subscriber)
                await subscriber.DisposeAsync();
            // Detaching the publisher leaves the room: Janus tells the others' subscriptions their feed is gone.
            await session.Publisher.DisposeAsync();
        }
        catch (Exception e) when (e is JanusException or HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            // Janus is gone or slow: its session times out and takes the participant with it.
            LogLeaveFailed(e, userId);
        }
        await AnnounceAsync(userId, session, left: true);
    }

    /// <summary>
    /// After a membership or role change: a user who may no longer CONNECT (kicked, banned, permission taken) is
    /// disconnected; one who lost SPEAK or VIDEO has those streams stopped at Janus at once.
    /// </summary>
    public async Task RecheckAsync(Snowflake userId, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetValue(userId, out var session))
            return;
        await using var scope = scopes.CreateAsyncScope();
        var decision = await scope.ServiceProvider.GetRequiredService<PermissionService>()
            .AuthorizeChannelAsync(userId, session.ChannelId, Permissions.Permissions.Connect, cancellationToken);
        if (decision.Access is null || !decision.Allowed)
            await EndAsync(userId, session.ConnectionId, VoiceEnded.Disconnected, cancellationToken);
        else
        {
            try
            {
                var moderation = await ModerationOfAsync(userId, session.ServerId, cancellationToken);
                var deafChanged = moderation.Deaf != session.Moderation.Deaf;
                var changed = moderation != session.Moderation;
                session.Moderation = moderation;
                await session.Publisher.RestrictAsync(Allowed(decision.Access.Permissions), Silenced(moderation), cancellationToken);
                if (deafChanged)
                    await DeafenAsync(session, moderation.Deaf, cancellationToken);
                if (changed || !session.Publisher.Allowed.HasFlag(MediaKinds.Video) && (session.Self.Video || session.Self.Stream))
                {
                    session.Self = session.Self with
                    {
                        Video = session.Self.Video && session.Publisher.Allowed.HasFlag(MediaKinds.Video),
                        Stream = session.Self.Stream && session.Publisher.Allowed.HasFlag(MediaKinds.Video),
                    };
                    await AnnounceAsync(userId, session, left: false);
                }
            }
            catch (Exception e) when (e is JanusException or HttpRequestException or System.Text.Json.JsonException)
            {
                // Runs while an event is dispatched: a Janus that does not answer must not hold the event back.
                LogRestrictFailed(e, userId);
            }
        }
    }

    /// <summary>
    /// Janus tells each participant's publisher handle when someone else's media starts or stops in the room: the
    /// client is told ("VoiceFeeds") to bring its subscription up to date. Ends when the handle is detached.
    /// </summary>
    private async Task WatchAsync(Session session)
    {
        try
        {
            await foreach (var e in session.Publisher.Events.ReadAllAsync())
            {
                if (e.Data is { } data && (data["publishers"] is not null || data["unpublished"] is not null || data["leaving"] is not null))
                    await hub.Clients.Client(session.ConnectionId).SendAsync("VoiceFeeds", session.ChannelId.ToString(), CancellationToken.None);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogWatchFailed(e, session.ChannelId);
        }
    }

    private Session Mine(GatewayConnection connection) =>
        _sessions.TryGetValue(connection.UserId, out var session) && session.ConnectionId == connection.ConnectionId
            ? session
            : throw new HubException("not_found: This connection is not in a voice channel.");

    private static MediaKinds Allowed(Permissions.Permissions permissions) =>
        (permissions.HasFlag(Permissions.Permissions.Speak) ? MediaKinds.Audio : MediaKinds.None) |
        (permissions.HasFlag(Permissions.Permissions.Video) ? MediaKinds.Video : MediaKinds.None);

    /// <summary>
    /// What Janus does not forward although the user may send it: their audio while server-muted (or -deafened, which
    /// mutes too, as in Discord). The client keeps its microphone track, so lifting it lets the sound through at once.
    /// </summary>
    private static MediaKinds Silenced(VoiceModeration moderation) =>
        moderation.Mute || moderation.Deaf ? MediaKinds.Audio : MediaKinds.None;

    private static VoiceState State(Snowflake userId, Session session) =>
        new(userId, session.ChannelId, session.ServerId, session.Self.SelfMute, session.Self.SelfDeaf, session.Self.Video, session.Self.Stream,
            session.Moderation.Mute, session.Moderation.Deaf);

    private Task AnnounceAsync(Snowflake userId, Session session, bool left)
    {
        var state = left ? State(userId, session) with { ChannelId = null } : State(userId, session);
        return fanout.SendSignalAsync(new GatewaySignal("VoiceState", [GatewayGroups.Channel(session.ChannelId)],
            System.Text.Json.JsonSerializer.SerializeToElement(state, Events.EventLog.PayloadJson)), CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching Janus's events for voice channel {ChannelId} failed")]
    private partial void LogWatchFailed(Exception e, Snowflake channelId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restricting what user {UserId} may publish at Janus failed")]
    private partial void LogRestrictFailed(Exception e, Snowflake userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leaving Janus for user {UserId} failed")]
    private partial void LogLeaveFailed(Exception e, Snowflake userId);
}
