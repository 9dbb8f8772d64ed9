using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Gateway;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Ids;
using KamaChat.Server.Infrastructure.Janus;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Calls;

/// <summary>
/// Voice channels without a media server: when this node has no Janus, a voice channel is a peer-to-peer mesh of at
/// most <see cref="MaxParticipants"/> people, each pair with its own PeerConnection, signalled the way DM calls are
/// (SendVoiceSignal → the other's "VoiceSignal"; the one who joins offers to everyone already in). The server decides
/// who may join (CONNECT, the user limit, at most four) and refuses to relay an offer or answer that would send media
/// the sender may not send (audio without SPEAK, camera or screen without VIDEO, audio while server-muted). Once two
/// browsers are connected the server cannot stop their bytes: a permission taken away mid-call ends that member's
/// call ("VoiceEnded" with reason "permissions"), and their client joins again with what it may now send.
/// Moderators mute, deafen, move and disconnect mesh members as through Janus (<see cref="ModerateAsync"/>).
/// Calls heartbeat as through Janus: a member not heard from (VoiceHeartbeat) for a lease is ended with "expired".
/// The mesh lives in memory of this node, like DM calls, so it is for one node: with voice states shared across
/// nodes (REDIS_URL) a join is refused ("unavailable"), since members on different nodes could not reach each other.
/// Voice states go out as the same "VoiceState" signals as with Janus.
/// </summary>
public sealed class VoiceMesh(MediaServer mediaServer, IceServers iceServers, IOptions<TurnOptions> turn, IOptions<VoiceOptions> options,
    IVoiceStates states, IGatewayFanout fanout, IHubContext<GatewayHub> hub, IServiceScopeFactory scopes, SnowflakeGenerator ids, TimeProvider time)
{
    /// <summary>The most people in a voice channel without an SFU: each sends its media to every other one.</summary>
    public const int MaxParticipants = 4;

    /// <summary>VoiceEnded's reason when what the member may send changed: the client joins again.</summary>
    public const string PermissionsChanged = "permissions";

    /// <summary>One user's call; <paramref name="CallId"/> new at each join (see <see cref="VoiceState"/>).</summary>
    private sealed record Member(string ConnectionId, Snowflake ChannelId, Snowflake? ServerId, Snowflake CallId, MediaKinds Allowed, VoiceModeration Moderation)
    {
        private long _heard;

        public VoiceSelfState Self { get; set; } = new(false, false, false, false);

        /// <summary>When its client last said it is alive (unix ms).</summary>
        public long Heard
        {
            get => Volatile.Read(ref _heard);
            set => Volatile.Write(ref _heard, value);
        }
    }

    private readonly Dictionary<Snowflake, Member> _members = [];
    private readonly Lock _lock = new();

    /// <summary>Whether voice channels run as a mesh here: no Janus to use.</summary>
    public bool Active => mediaServer.Janus is null;

    public IReadOnlyList<VoiceState> StatesIn(IReadOnlySet<Snowflake> channelIds)
    {
        lock (_lock)
            return _members.Where(m => channelIds.Contains(m.Value.ChannelId)).Select(m => State(m.Key, m.Value)).ToList();
    }

    /// <summary>Whether this connection holds its user's mesh call.</summary>
    public bool Holds(GatewayConnection connection)
    {
        lock (_lock)
            return _members.TryGetValue(connection.UserId, out var member) && member.ConnectionId == connection.ConnectionId;
    }

    /// <summary>
    /// Joins the user to a voice channel they may CONNECT to, leaving any other first. Refuses the fifth person
    /// (sfu_required) and anyone past the channel's user limit (channel_full, unless they have MOVE_MEMBERS there).
    /// </summary>
    public async Task<VoiceJoined> JoinAsync(GatewayConnection connection, ChannelAccess access, CancellationToken cancellationToken)
    {
        if (access.Channel.Type != ChannelType.Voice)
            throw new HubException("validation_failed: Only voice channels can be joined.");
        if (states is not LocalVoiceStates)
            throw new HubException("unavailable: Voice channels on several nodes need a media server (Janus), and this server has none running.");
        var moderation = await VoiceAnnouncements.ModerationOfAsync(scopes, connection.UserId, access.Server?.ServerId, cancellationToken);
        var allowed = Allowed(access.Permissions, moderation);
        var channelId = access.Channel.Id;
        // A moderator's move lets its user in past the user limit, for a while (as through Janus).
        var moved = access.Channel.UserLimit > 0 && !access.Has(Permissions.Permissions.MoveMembers) && await states.TakeMoveAsync(connection.UserId, channelId);
        Member? previous;
        Member member;
        lock (_lock)
        {
            _members.TryGetValue(connection.UserId, out previous);
            var inside = _members.Count(m => m.Value.ChannelId == channelId && m.Key != connection.UserId);
            if (inside >= MaxParticipants)
                throw new HubException(
                    $"sfu_required: This voice channel is full: without a media server (SFU) a voice channel holds {MaxParticipants} people, and this server has none. Ask its administrator to set up Janus for more.");
            var limit = access.Channel.UserLimit;
            if (limit > 0 && inside >= limit && !access.Has(Permissions.Permissions.MoveMembers) && !moved)
                throw new HubException($"channel_full: This voice channel is full ({inside} of {limit}).");
            member = new Member(connection.ConnectionId, channelId, access.Server?.ServerId, ids.NextId(), allowed, moderation)
            {
                Heard = time.GetUtcNow().ToUnixTimeMilliseconds(),
            };
            _members[connection.UserId] = member;
        }
        if (previous is not null)
        {
            // One call per user: the other device (or this tab's old connection) is told it is out.
            if (previous.ConnectionId != connection.ConnectionId)
                await hub.Clients.Client(previous.ConnectionId).SendAsync("VoiceEnded", new VoiceEnded(previous.ChannelId, VoiceEnded.AnotherDevice), CancellationToken.None);
            if (previous.ChannelId != channelId)
                await AnnounceAsync(connection.UserId, previous, left: true);
        }
        await AnnounceAsync(connection.UserId, member, left: false);
        return new VoiceJoined(channelId, iceServers.For(connection.UserId.Value), allowed.HasFlag(MediaKinds.Audio), allowed.HasFlag(MediaKinds.Video),
            StatesIn(new HashSet<Snowflake> { channelId }), (int)options.Value.Heartbeat.TotalMilliseconds, VoiceJoined.MeshMode,
            turn.Value.RelayOnly ? "relay" : "all");
    }

    /// <summary>
    /// Relays an offer, answer or candidates to another member of the caller's mesh call; an offer or answer that
    /// would send media the caller may not send is refused (missing_permission) and never reaches the other side.
    /// </summary>
    public async Task RelayAsync(GatewayConnection connection, Snowflake toUserId, CallSignal signal)
    {
        Member mine;
        Member? target;
        lock (_lock)
        {
            if (!_members.TryGetValue(connection.UserId, out var held) || held.ConnectionId != connection.ConnectionId)
                throw new HubException("not_found: This connection is not in a voice channel.");
            mine = held;
            if (!_members.TryGetValue(toUserId, out target) || target.ChannelId != mine.ChannelId)
                target = null;
        }
        if (target is null)
            throw new HubException("not_found: That user is not in your voice channel.");
        if (signal.Sdp is { } sdp && (SdpMedia.Sending(sdp) & ~mine.Allowed) is var refused && refused != MediaKinds.None)
            throw new HubException("missing_permission: " + (refused.HasFlag(MediaKinds.Audio) ? "SPEAK" : "VIDEO") + " is needed to send that media.");
        await hub.Clients.Client(target.ConnectionId).SendAsync("VoiceSignal", new CallSignalReceived(mine.ChannelId, connection.UserId, signal), CancellationToken.None);
    }

    /// <summary>Self mute, deafen (which mutes too, as in Discord), camera and screen, as the others see them.</summary>
    public async Task SetSelfAsync(GatewayConnection connection, VoiceSelfState self)
    {
        Member member;
        lock (_lock)
        {
            if (!_members.TryGetValue(connection.UserId, out var held) || held.ConnectionId != connection.ConnectionId)
                throw new HubException("not_found: This connection is not in a voice channel.");
            var video = held.Allowed.HasFlag(MediaKinds.Video);
            held.Self = self with { SelfMute = self.SelfMute || self.SelfDeaf, Video = self.Video && video, Stream = self.Stream && video };
            member = held;
        }
        await AnnounceAsync(connection.UserId, member, left: false);
    }

    /// <summary>The client in a mesh call says it is alive (VoiceHeartbeat).</summary>
    public void Heard(GatewayConnection connection)
    {
        lock (_lock)
        {
            if (_members.TryGetValue(connection.UserId, out var member) && member.ConnectionId == connection.ConnectionId)
                member.Heard = time.GetUtcNow().ToUnixTimeMilliseconds();
        }
    }

    /// <summary>
    /// Ends the calls whose client has not said it is alive for a lease ("VoiceEnded" with reason "expired": a client
    /// still there joins again), so a frozen tab or a network gone without a close leaves no ghost in the channel.
    /// </summary>
    public async Task EndSilentAsync()
    {
        var silentBefore = time.GetUtcNow().ToUnixTimeMilliseconds() - (long)options.Value.Lease.TotalMilliseconds;
        // Found and taken out under one lock: a heartbeat or a rejoin that lands meanwhile is never ended with them.
        List<KeyValuePair<Snowflake, Member>> silent;
        lock (_lock)
        {
            silent = _members.Where(m => m.Value.Heard < silentBefore).ToList();
            foreach (var (userId, _) in silent)
                _members.Remove(userId);
        }
        foreach (var (userId, member) in silent)
            await EndedAsync(userId, member, VoiceEnded.Expired);
    }

    /// <summary>Leaves the user's mesh call (only if held by <paramref name="connectionId"/>, when given).</summary>
    public Task LeaveAsync(Snowflake userId, string? connectionId) => EndAsync(userId, connectionId, null);

    /// <summary>The voice channel the user is in through this node's mesh, if any.</summary>
    public Snowflake? ChannelOf(Snowflake userId)
    {
        lock (_lock)
            return _members.TryGetValue(userId, out var member) ? member.ChannelId : null;
    }

    /// <summary>
    /// A moderator's server mute or deafen: kept on the member, and applied by ending their call ("permissions"), so
    /// their client joins again without sending audio while muted — the server cannot stop bytes between browsers.
    /// </summary>
    public async Task ModerateAsync(Snowflake userId, VoiceModerationRequest request, CancellationToken cancellationToken)
    {
        Member? member;
        lock (_lock)
            _members.TryGetValue(userId, out member);
        if (member?.ServerId is not { } serverId)
            throw new HubException("not_found: That member is not in a voice channel.");
        await VoiceAnnouncements.SaveModerationAsync(scopes, userId, serverId, request, cancellationToken);
        await RecheckAsync(userId, cancellationToken);
    }

    /// <summary>Ends the user's call and tells their client to join <paramref name="channelId"/>, which it may then do past the user limit.</summary>
    public async Task MoveAsync(Snowflake userId, Snowflake channelId)
    {
        await states.GrantMoveAsync(userId, channelId, VoiceChannels.MoveTicketLifetime);
        await EndAsync(userId, null, VoiceEnded.Moved, channelId);
    }

    /// <summary>Ends the user's call (a moderator's disconnect).</summary>
    public Task DisconnectAsync(Snowflake userId) => EndAsync(userId, null, VoiceEnded.Disconnected);

    /// <summary>
    /// After a membership or role change: a member who may no longer CONNECT is disconnected; one whose SPEAK, VIDEO or
    /// server mute changed has the call ended with "permissions", so their client joins again sending only what it may.
    /// </summary>
    public async Task RecheckAsync(Snowflake userId, CancellationToken cancellationToken)
    {
        Member? member;
        lock (_lock)
            _members.TryGetValue(userId, out member);
        if (member is null)
            return;
        await using var scope = scopes.CreateAsyncScope();
        var decision = await scope.ServiceProvider.GetRequiredService<PermissionService>()
            .AuthorizeChannelAsync(userId, member.ChannelId, Permissions.Permissions.Connect, cancellationToken);
        if (decision.Access is null || !decision.Allowed)
        {
            await EndAsync(userId, member.ConnectionId, VoiceEnded.Disconnected);
            return;
        }
        var moderation = await VoiceAnnouncements.ModerationOfAsync(scopes, userId, member.ServerId, cancellationToken);
        var allowed = Allowed(decision.Access.Permissions, moderation);
        if (allowed != member.Allowed || moderation != member.Moderation)
            await EndAsync(userId, member.ConnectionId, PermissionsChanged);
    }

    private async Task EndAsync(Snowflake userId, string? connectionId, string? reason, Snowflake? movedTo = null)
    {
        Member? member;
        lock (_lock)
        {
            if (!_members.TryGetValue(userId, out member) || (connectionId is not null && member.ConnectionId != connectionId))
                return;
            _members.Remove(userId);
        }
        await EndedAsync(userId, member, reason, movedTo);
    }

    /// <summary>
    /// After the member was taken out of the mesh: tells everyone, then their client why (if there is a reason). In
    /// that order: a client told why joins again at once, and its join's announcement must not overtake the leave's,
    /// or everyone would see them gone while they are in the call.
    /// </summary>
    private async Task EndedAsync(Snowflake userId, Member member, string? reason, Snowflake? movedTo = null)
    {
        await AnnounceAsync(userId, member, left: true);
        if (reason is not null)
            await hub.Clients.Client(member.ConnectionId).SendAsync("VoiceEnded", new VoiceEnded(member.ChannelId, reason, movedTo), CancellationToken.None);
    }

    /// <summary>What the member may send: what Janus would forward (a server-muted member's audio is not relayed at all).</summary>
    private static MediaKinds Allowed(Permissions.Permissions permissions, VoiceModeration moderation) =>
        VoiceChannels.Allowed(permissions) & ~VoiceChannels.Silenced(moderation);

    private static VoiceState State(Snowflake userId, Member member) =>
        VoiceAnnouncements.State(userId, member.ChannelId, member.ServerId, member.CallId, member.Self, member.Moderation);

    private Task AnnounceAsync(Snowflake userId, Member member, bool left) =>
        fanout.SendSignalAsync(left ? VoiceAnnouncements.LeftSignal(State(userId, member)) : VoiceAnnouncements.Signal(State(userId, member)),
            CancellationToken.None);
}

/// <summary>Ends silent mesh calls every sixth of the voice lease (<see cref="VoiceMesh.EndSilentAsync"/>).</summary>
public sealed partial class VoiceMeshKeeper(VoiceMesh mesh, IOptions<VoiceOptions> options, TimeProvider time, ILogger<VoiceMeshKeeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Lease / 6, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await mesh.EndSilentAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                LogFailed(e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ending silent mesh voice calls failed")]
    private partial void LogFailed(Exception e);
}
