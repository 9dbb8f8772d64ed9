using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Gateway;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Ids;
using KamaChat.Server.Infrastructure.Janus;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace KamaChat.Server.Features.Calls;

/// <summary>
/// Voice channels through Janus. A user in a voice channel is one gateway connection on this node holding one Janus
/// VideoRoom participant (the channel's room, made on demand) and at most one subscription: the server relays the
/// client's SDP both ways, so the client never holds a Janus secret, and what it may publish follows its SPEAK and
/// VIDEO permissions at Janus. The Janus handles live in memory of the node holding the connection; the voice states
/// live in <see cref="IVoiceStates"/> (Redis when scaled out), so every node sees every call, and go out as
/// "VoiceState" signals to everyone who can see the channel ("VoiceFeeds" tells a participant that media in its room
/// started or stopped). A call ends with the connection (leave, switching channel, socket closed, session revoked), when
/// a permission check after a membership or role change says CONNECT is gone, when its client stops heartbeating for a
/// lease (a frozen tab, a network gone without a close), and when its node dies (another node ends it once the node's
/// lease lapses). Whoever removes a call's entry kicks its participant from Janus and announces that the user left.
/// </summary>
public sealed partial class VoiceChannels(
    VideoRooms rooms, MediaServer mediaServer, IceServers iceServers, IGatewayFanout fanout, IHubContext<GatewayHub> hub, IServiceScopeFactory scopes,
    IVoiceStates states, IOptions<VoiceOptions> options, SnowflakeGenerator ids, TimeProvider time, ILogger<VoiceChannels> logger)
{
    private sealed class Session(string connectionId, Snowflake channelId, Snowflake? serverId, Snowflake callId, VideoRoomPublisher publisher)
    {
        private long _heard;

        public string ConnectionId { get; } = connectionId;
        public Snowflake ChannelId { get; } = channelId;
        public Snowflake? ServerId { get; } = serverId;

        /// <summary>New at each join (see <see cref="VoiceState"/>).</summary>
        public Snowflake CallId { get; } = callId;
        public VideoRoomPublisher Publisher { get; } = publisher;
        public VideoRoomSubscriber? Subscriber { get; set; }
        public HashSet<long> Feeds { get; } = [];
        public VoiceSelfState Self { get; set; } = new(false, false, false, false);
        public VoiceModeration Moderation { get; set; } = VoiceModeration.None;
        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Whether its entry is in <see cref="IVoiceStates"/> (only then is its lease renewed).</summary>
        public bool Shared { get; set; }

        /// <summary>Whether the last lease renewal found its entry gone (another node ended the call).</summary>
        public bool Lost { get; set; }

        /// <summary>When its client last said it is alive (unix ms).</summary>
        public long Heard
        {
            get => Volatile.Read(ref _heard);
            set => Volatile.Write(ref _heard, value);
        }
    }

    private readonly ConcurrentDictionary<Snowflake, Session> _sessions = new();

    /// <summary>The voice states of these channels, whichever node holds them (for Ready and JoinVoice).</summary>
    public Task<IReadOnlyList<VoiceState>> StatesInAsync(IReadOnlyCollection<Snowflake> channelIds) => states.InChannelsAsync(channelIds);

    /// <summary>How often a client in a call says it is alive (VoiceHeartbeat).</summary>
    public TimeSpan Heartbeat => options.Value.Heartbeat;

    /// <summary>Joins (or moves) the user to a voice channel they may CONNECT to, leaving any other first.</summary>
    public async Task<VoiceJoined> JoinAsync(GatewayConnection connection, ChannelAccess access, CancellationToken cancellationToken)
    {
        if (access.Channel.Type != ChannelType.Voice)
            throw new HubException("validation_failed: Only voice channels can be joined.");
        if (mediaServer.Janus is null)
            throw new HubException("unavailable: Voice needs a media server (Janus), and this server has none running.");
        // One call per user, whichever node holds it: joining from another connection (a second device, or this tab
        // after the gateway reconnected) ends the one held there, and that connection is told why.
        if (await states.GetAsync(connection.UserId) is { } held)
            await EndAsync(held, held.ConnectionId != connection.ConnectionId ? VoiceEnded.AnotherDevice : null);
        var elsewhere = _sessions.TryGetValue(connection.UserId, out var local) && local.ConnectionId != connection.ConnectionId;
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
        var session = new Session(connection.ConnectionId, channelId, access.Server?.ServerId, ids.NextId(), publisher)
        {
            Moderation = moderation,
            Heard = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        if (!_sessions.TryAdd(connection.UserId, session))
        {
            // Another join of the same user won the race: that one stands.
            await publisher.DisposeAsync();
            throw new HubException("conflict: Already joining a voice channel.");
        }
        if (!await states.TryAddAsync(Entry(connection.UserId, session), options.Value.Lease))
        {
            // ... on another node.
            _sessions.TryRemove(new KeyValuePair<Snowflake, Session>(connection.UserId, session));
            await publisher.DisposeAsync();
            throw new HubException("conflict: Already joining a voice channel.");
        }
        session.Shared = true;
        _ = Task.Run(() => WatchAsync(session), CancellationToken.None);
        await AnnounceAsync(connection.UserId, session, left: false);
        return new VoiceJoined(channelId, iceServers.For(connection.UserId.Value),
            allowed.HasFlag(MediaKinds.Audio), allowed.HasFlag(MediaKinds.Video), await StatesInAsync([channelId]),
            (int)options.Value.Heartbeat.TotalMilliseconds);
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

    /// <summary>The client in a call says it is alive; a call not heard from for a lease ends (<see cref="KeepLeasesAsync"/>).</summary>
    public void Heard(GatewayConnection connection)
    {
        if (_sessions.TryGetValue(connection.UserId, out var session) && session.ConnectionId == connection.ConnectionId)
            session.Heard = time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    /// <summary>Leaves the user's voice channel (only if held by <paramref name="connectionId"/>, when given).</summary>
    public Task LeaveAsync(Snowflake userId, string? connectionId, CancellationToken cancellationToken) =>
        EndAsync(userId, connectionId, null, cancellationToken);

    /// <summary>
    /// Ends the user's call held on this node (only if held by <paramref name="connectionId"/>, when given). With a
    /// <paramref name="reason"/> (the server ended it, not the user), the connection that held it is told ("VoiceEnded"),
    /// so that client stops its media and says why; its own VoiceState could not tell it apart from a rejoin on a newer
    /// connection.
    /// </summary>
    private async Task EndAsync(Snowflake userId, string? connectionId, string? reason, CancellationToken cancellationToken, Snowflake? movedTo = null)
    {
        if (!_sessions.TryGetValue(userId, out var session) || (connectionId is not null && session.ConnectionId != connectionId))
            return;
        if (_sessions.TryRemove(new KeyValuePair<Snowflake, Session>(userId, session)))
            await EndRemovedAsync(userId, session, reason, movedTo);
    }

    /// <summary>After its session was taken out of this node's calls: the shared entry and the announcement, then the client and Janus.</summary>
    /// <remarks>
    /// Announced before the client is told: told why, it joins again at once (after "permissions" or "expired"; the
    /// target after "moved"), and that join must find the shared entry gone and its announcement come after the leave's,
    /// or everyone would see the user gone while they are in the call. Janus is asked last (<see cref="ReleaseAsync"/>),
    /// so a slow Janus delays neither; a rejoin gets a participant id of its own.
    /// </remarks>
    private async Task EndRemovedAsync(Snowflake userId, Session session, string? reason, Snowflake? movedTo)
    {
        try
        {
            // Another node may have ended it first (a takeover, a lapsed lease): then that node announced it.
            if (session.Shared && await states.RemoveAsync(userId, session.ConnectionId) is not null)
                await AnnounceAsync(userId, session, left: true);
        }
        catch (RedisException e)
        {
            // The entry stays until its lease lapses; a surviving node announces it then.
            LogStateFailed(e, userId);
        }
        await ReleaseAsync(userId, session, reason, movedTo);
    }

    /// <summary>Ends a call wherever it is held: here as above, or on another node by taking its entry, as that node would.</summary>
    private async Task EndAsync(VoiceEntry entry, string? reason, Snowflake? movedTo = null)
    {
        if (entry.Node == states.Node)
        {
            await EndAsync(entry.UserId, entry.ConnectionId, reason, CancellationToken.None, movedTo);
            return;
        }
        if (await states.RemoveAsync(entry.UserId, entry.ConnectionId) is { } removed)
            await EndTakenAsync(removed, reason, movedTo);
    }

    /// <summary>
    /// After this node took another node's entry: its participant leaves Janus, everyone is told, and the holding node (if
    /// it lives) lets go of its handles and tells the client why.
    /// </summary>
    private async Task EndTakenAsync(VoiceEntry entry, string? reason, Snowflake? movedTo)
    {
        try
        {
            await rooms.KickAsync(entry.ChannelId.Value, entry.ParticipantId, CancellationToken.None);
        }
        catch (Exception e) when (e is JanusException or HttpRequestException or OperationCanceledException or System.Text.Json.JsonException or InvalidOperationException)
        {
            // Janus is gone or slow: the holding node's Janus session times out and takes the participant with it.
            LogLeaveFailed(e, entry.UserId);
        }
        await fanout.SendSignalAsync(LeftSignal(entry.State), CancellationToken.None);
        await states.SendAsync(entry.Node, new VoiceCommand(VoiceCommand.Drop, entry.UserId, entry.ConnectionId, reason, movedTo, entry.State.CallId));
    }

    /// <summary>Tells the connection why its call ended (when the server ended it) and lets go of its Janus handles.</summary>
    private async Task ReleaseAsync(Snowflake userId, Session session, string? reason, Snowflake? movedTo)
    {
        if (reason is not null)
            await hub.Clients.Client(session.ConnectionId).SendAsync("VoiceEnded", new VoiceEnded(session.ChannelId, reason, movedTo), CancellationToken.None);
        try
        {
            // Detaching the publisher leaves the room: its media stops reaching the others at once, and Janus tells
            // their subscriptions the feed is gone.
            await session.Publisher.DisposeAsync();
            if (session.Subscriber is { } subscriber)
                await subscriber.DisposeAsync();
        }
        catch (Exception e) when (e is JanusException or HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            // Janus is gone or slow: its session times out and takes the participant with it.
            LogLeaveFailed(e, userId);
        }
    }

    /// <summary>A command from another node about a call held here.</summary>
    public async Task HandleAsync(VoiceCommand command)
    {
        if (command.Kind == VoiceCommand.Recheck)
        {
            await RecheckAsync(command.UserId, CancellationToken.None);
            return;
        }
        // Only the call it names: its user may have joined again on the same connection since (a newer call).
        if (command.Kind != VoiceCommand.Drop || !_sessions.TryGetValue(command.UserId, out var session) || session.ConnectionId != command.ConnectionId ||
            command.CallId is { } callId && session.CallId != callId)
            return;
        if (_sessions.TryRemove(new KeyValuePair<Snowflake, Session>(command.UserId, session)))
            await ReleaseAsync(command.UserId, session, command.Reason, command.MovedTo);
    }

    /// <summary>
    /// Runs every sixth of the lease: ends calls whose client has not said it is alive for a lease, renews this node's
    /// leases (letting go of calls another node ended meanwhile), and ends calls whose node stopped renewing theirs.
    /// Only the bookkeeping is waited for here: ending a call waits on Janus (its participant leaves or is kicked, for up
    /// to a request timeout when Janus is slow), and a round that waited for that renewed no lease meanwhile, so the
    /// live calls' leases lapsed and those calls vanished from every Ready (#12). The endings run on their own.
    /// </summary>
    public async Task KeepLeasesAsync(CancellationToken cancellationToken)
    {
        var lease = options.Value.Lease;
        var silentBefore = time.GetUtcNow().ToUnixTimeMilliseconds() - (long)lease.TotalMilliseconds;
        // Taken out at once, the exact session found silent: not a call that rejoined on the same connection since.
        foreach (var (userId, session) in _sessions.Where(s => s.Value.Heard < silentBefore).ToList())
        {
            if (_sessions.TryRemove(new KeyValuePair<Snowflake, Session>(userId, session)))
                EndInBackground(userId, () => EndRemovedAsync(userId, session, VoiceEnded.Expired, null));
        }

        var held = _sessions.Where(s => s.Value.Shared).Select(s => (s.Key, s.Value.ConnectionId)).ToList();
        foreach (var userId in await states.RenewAsync(held, lease))
        {
            if (!_sessions.TryGetValue(userId, out var session) || !held.Contains((userId, session.ConnectionId)))
                continue;
            // Another node ended it, and its command saying why (moved, another device...) is on its way: it gets a
            // round to arrive before this node lets go by itself.
            if (session.Lost && _sessions.TryRemove(new KeyValuePair<Snowflake, Session>(userId, session)))
                EndInBackground(userId, () => ReleaseAsync(userId, session, VoiceEnded.Expired, null));
            session.Lost = true;
        }

        foreach (var entry in await states.ExpiredAsync())
        {
            if (await states.RemoveAsync(entry.UserId, entry.ConnectionId, onlyExpired: true) is not { } removed)
                continue;
            LogExpired(removed.UserId, removed.Node);
            EndInBackground(removed.UserId, () => EndTakenAsync(removed, VoiceEnded.Expired, null));
        }
    }

    /// <summary>Ends a call the keeper took out (see <see cref="KeepLeasesAsync"/>) without holding up its next round.</summary>
    private void EndInBackground(Snowflake userId, Func<Task> end) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await end();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Redis or the hub failed midway: a leftover entry lapses with its lease, and a surviving node ends it then.
                LogEndFailed(e, userId);
            }
        }, CancellationToken.None);

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

    internal static MediaKinds Allowed(Permissions.Permissions permissions) =>
        (permissions.HasFlag(Permissions.Permissions.Speak) ? MediaKinds.Audio : MediaKinds.None) |
        (permissions.HasFlag(Permissions.Permissions.Video) ? MediaKinds.Video : MediaKinds.None);

    /// <summary>
    /// What Janus does not forward although the user may send it: their audio while server-muted (or -deafened, which
    /// mutes too, as in Discord). The client keeps its microphone track, so lifting it lets the sound through at once.
    /// </summary>
    internal static MediaKinds Silenced(VoiceModeration moderation) =>
        moderation.Mute || moderation.Deaf ? MediaKinds.Audio : MediaKinds.None;

    private static VoiceState State(Snowflake userId, Session session) =>
        VoiceAnnouncements.State(userId, session.ChannelId, session.ServerId, session.CallId, session.Self, session.Moderation);

    private VoiceEntry Entry(Snowflake userId, Session session) =>
        new(State(userId, session), states.Node, session.ConnectionId, session.Publisher.ParticipantId);

    /// <summary>Tells everyone who can see the channel; a change is written to the shared entry first (Ready reads those).</summary>
    private async Task AnnounceAsync(Snowflake userId, Session session, bool left)
    {
        if (left)
        {
            await fanout.SendSignalAsync(LeftSignal(State(userId, session)), CancellationToken.None);
            return;
        }
        if (session.Shared && !await states.UpdateAsync(Entry(userId, session)))
            return;
        await fanout.SendSignalAsync(Signal(State(userId, session)), CancellationToken.None);
    }

    private static GatewaySignal LeftSignal(VoiceState state) => VoiceAnnouncements.LeftSignal(state);

    private static GatewaySignal Signal(VoiceState state) => VoiceAnnouncements.Signal(state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching Janus's events for voice channel {ChannelId} failed")]
    private partial void LogWatchFailed(Exception e, Snowflake channelId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restricting what user {UserId} may publish at Janus failed")]
    private partial void LogRestrictFailed(Exception e, Snowflake userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leaving Janus for user {UserId} failed")]
    private partial void LogLeaveFailed(Exception e, Snowflake userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ending the voice call of user {UserId} failed")]
    private partial void LogEndFailed(Exception e, Snowflake userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Updating the shared voice state of user {UserId} failed")]
    private partial void LogStateFailed(Exception e, Snowflake userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "The voice call of user {UserId} on node {Node} outlived its lease; ending it")]
    private partial void LogExpired(Snowflake userId, string node);
}
