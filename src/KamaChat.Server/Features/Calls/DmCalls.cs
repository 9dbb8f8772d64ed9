using System.Globalization;
using System.Text.Json;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Gateway;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.Relationships;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Calls;

/// <summary>
/// Calls in DMs and group DMs, peer to peer: the server decides who may call and who rings, relays each pair's
/// offers, answers and ICE candidates between their gateway connections, and keeps the call's state (who is in, who
/// rings) in memory of this node, sent as "CallState" signals to the conversation's members. Media goes between the
/// browsers (through TURN when they cannot reach each other); a group DM call is a mesh, each pair with its own
/// connection. A call that nobody answered (every device declined, the ring timed out, or the caller hung up or lost
/// the connection first) leaves a "callMissed" line in the conversation; a call that was answered leaves a
/// "callEnded" line with its length in seconds.
/// </summary>
public sealed partial class DmCalls(
    IceServers iceServers, IOptions<TurnOptions> turn, IOptions<DmCallOptions> options, IGatewayFanout fanout, IHubContext<GatewayHub> hub,
    IServiceScopeFactory scopes, TimeProvider time, ILogger<DmCalls> logger)
{
    private sealed class Call(Snowflake channelId, Snowflake startedBy, DateTimeOffset startedAt)
    {
        public Snowflake ChannelId { get; } = channelId;
        public Snowflake StartedBy { get; } = startedBy;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public DateTimeOffset? ConnectedAt { get; set; }
        /// <summary>Who is in the call, and on which gateway connection.</summary>
        public Dictionary<Snowflake, string> Participants { get; } = [];
        public HashSet<Snowflake> Ringing { get; } = [];
        public CancellationTokenSource RingTimer { get; } = new();
        public bool Ended { get; set; }
    }

    private readonly Dictionary<Snowflake, Call> _calls = [];
    private readonly Lock _lock = new();

    /// <summary>The calls going on in these conversations (for Ready).</summary>
    public IReadOnlyList<DmCallState> In(IReadOnlySet<Snowflake> channelIds)
    {
        lock (_lock)
            return _calls.Values.Where(c => channelIds.Contains(c.ChannelId)).Select(State).ToList();
    }

    /// <summary>
    /// Starts a call in a DM or group DM the user is in, ringing the others (in a DM, never across a block), or joins
    /// the call already going on there. Leaves any other call of the user's first.
    /// </summary>
    public async Task<DmCallJoined> StartAsync(GatewayConnection connection, Snowflake channelId, CancellationToken cancellationToken)
    {
        var ring = await RingListAsync(connection.UserId, channelId, cancellationToken);
        await LeaveOthersAsync(connection, channelId);
        Call call;
        bool started;
        lock (_lock)
        {
            started = !_calls.TryGetValue(channelId, out var existing);
            call = existing ?? new Call(channelId, connection.UserId, time.GetUtcNow());
            if (started)
            {
                _calls[channelId] = call;
                call.Ringing.UnionWith(ring);
            }
        }
        if (started)
            _ = Task.Run(() => RingAsync(call), CancellationToken.None);
        return await JoinAsync(connection, call);
    }

    /// <summary>Answers the ringing call in a conversation the user is in.</summary>
    public async Task<DmCallJoined> AcceptAsync(GatewayConnection connection, Snowflake channelId, CancellationToken cancellationToken)
    {
        await RingListAsync(connection.UserId, channelId, cancellationToken);
        Call? call;
        lock (_lock)
            _calls.TryGetValue(channelId, out call);
        if (call is null)
            throw new HubException("not_found: There is no call in this conversation.");
        await LeaveOthersAsync(connection, channelId);
        return await JoinAsync(connection, call);
    }

    /// <summary>Stops the user's devices ringing; when nobody else rings or is in the call but the caller, it was missed.</summary>
    public async Task DeclineAsync(Snowflake userId, Snowflake channelId)
    {
        Call? call;
        bool end;
        lock (_lock)
        {
            if (!_calls.TryGetValue(channelId, out call) || !call.Ringing.Remove(userId))
                return;
            end = call.Ringing.Count == 0 && call.Participants.Count < 2;
            if (end)
                Close(call);
        }
        await (end ? EndedAsync(call) : AnnounceAsync(call));
    }

    /// <summary>
    /// Takes this connection out of its call (hang up, socket closed, call joined elsewhere). The call ends when
    /// fewer than two people are left in it and nobody else rings.
    /// </summary>
    public async Task LeaveAsync(Snowflake userId, string connectionId, Snowflake? channelId = null)
    {
        List<(Call Call, bool End)> left = [];
        lock (_lock)
        {
            foreach (var call in _calls.Values.Where(c => channelId is null || c.ChannelId == channelId).ToList())
            {
                if (!call.Participants.TryGetValue(userId, out var held) || held != connectionId)
                    continue;
                call.Participants.Remove(userId);
                var end = call.Participants.Count == 0 || (call.Participants.Count < 2 && call.Ringing.Count == 0);
                if (end)
                    Close(call);
                left.Add((call, end));
            }
        }
        foreach (var (call, end) in left)
            await (end ? EndedAsync(call) : AnnounceAsync(call));
    }

    /// <summary>
    /// After a change to the conversations the user is in (<paramref name="groups"/>: the gateway groups they should
    /// be in now): out of the calls of conversations they left or were removed from, ringing or in the call.
    /// </summary>
    public async Task RecheckAsync(Snowflake userId, IReadOnlySet<string> groups)
    {
        List<(Snowflake ChannelId, string? ConnectionId)> lost;
        lock (_lock)
            lost = _calls.Values
                .Where(c => (c.Participants.ContainsKey(userId) || c.Ringing.Contains(userId)) && !groups.Contains(GatewayGroups.Channel(c.ChannelId)))
                .Select(c => (c.ChannelId, c.Participants.GetValueOrDefault(userId)))
                .ToList();
        foreach (var (channelId, connectionId) in lost)
        {
            await DeclineAsync(userId, channelId);
            if (connectionId is null)
                continue;
            await LeaveAsync(userId, connectionId, channelId);
            await hub.Clients.Client(connectionId).SendAsync("CallLeft", channelId.ToString(), CancellationToken.None);
        }
    }

    /// <summary>Relays a signal to another participant's connection; both must be in the call, on these connections.</summary>
    public async Task RelayAsync(GatewayConnection connection, Snowflake channelId, Snowflake toUserId, CallSignal signal)
    {
        string? target;
        lock (_lock)
        {
            if (!_calls.TryGetValue(channelId, out var call) ||
                !call.Participants.TryGetValue(connection.UserId, out var mine) || mine != connection.ConnectionId)
                throw new HubException("not_found: This connection is not in that call.");
            call.Participants.TryGetValue(toUserId, out target);
        }
        if (target is null)
            throw new HubException("not_found: That user is not in the call.");
        await hub.Clients.Client(target).SendAsync("CallSignal", new CallSignalReceived(channelId, connection.UserId, signal), CancellationToken.None);
    }

    private async Task<DmCallJoined> JoinAsync(GatewayConnection connection, Call call)
    {
        string? moved;
        lock (_lock)
        {
            if (call.Ended)
                throw new HubException("not_found: The call has ended.");
            call.Participants.TryGetValue(connection.UserId, out moved);
            call.Participants[connection.UserId] = connection.ConnectionId;
            call.Ringing.Remove(connection.UserId);
            if (call.Participants.Count >= 2)
                call.ConnectedAt ??= time.GetUtcNow();
        }
        // Joining from another device moves the call there: the first device is told it is out.
        if (moved is not null && moved != connection.ConnectionId)
            await hub.Clients.Client(moved).SendAsync("CallLeft", call.ChannelId.ToString(), CancellationToken.None);
        var state = await AnnounceAsync(call);
        var policy = turn.Value.RelayOnly ? "relay" : "all";
        return new DmCallJoined(call.ChannelId, iceServers.For(connection.UserId.Value), policy, state);
    }

    /// <summary>Leaves the user's calls in other conversations: one call at a time.</summary>
    private async Task LeaveOthersAsync(GatewayConnection connection, Snowflake channelId)
    {
        List<(Snowflake ChannelId, string ConnectionId)> others;
        lock (_lock)
            others = _calls.Values
                .Where(c => c.ChannelId != channelId && c.Participants.ContainsKey(connection.UserId))
                .Select(c => (c.ChannelId, c.Participants[connection.UserId]))
                .ToList();
        foreach (var (otherId, connectionId) in others)
            await LeaveAsync(connection.UserId, connectionId, otherId);
    }

    /// <summary>
    /// Whom a call in this conversation rings: its other members, leaving out anyone who blocked the caller or whom
    /// the caller blocked. Refuses a conversation the user is not in (not found) and a DM across a block.
    /// </summary>
    private async Task<IReadOnlyList<Snowflake>> RingListAsync(Snowflake userId, Snowflake channelId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var access = await scope.ServiceProvider.GetRequiredService<PermissionService>().ForChannelAsync(userId, channelId, cancellationToken)
            ?? throw new HubException("not_found: The channel was not found.");
        if (access.Channel.Type is not (ChannelType.Dm or ChannelType.GroupDm))
            throw new HubException("validation_failed: Calls are made in DMs and group DMs; in a server, join a voice channel.");
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var others = await db.ChannelRecipients.AsNoTracking().Where(r => r.ChannelId == channelId && r.UserId != userId)
            .Select(r => r.UserId).ToListAsync(cancellationToken);
        var ring = new List<Snowflake>();
        foreach (var other in others)
        {
            if (!await ContactPolicy.EitherBlockedAsync(db, userId, other, cancellationToken))
                ring.Add(other);
            else if (access.Channel.Type == ChannelType.Dm)
                throw new HubException("cannot_call_user: You cannot call this user.");
        }
        return ring;
    }

    /// <summary>After the ring timeout, devices stop ringing; a call nobody answered ends as missed.</summary>
    private async Task RingAsync(Call call)
    {
        try
        {
            await Task.Delay(options.Value.RingTimeout, time, call.RingTimer.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        bool end;
        lock (_lock)
        {
            if (call.Ended)
                return;
            call.Ringing.Clear();
            end = call.Participants.Count < 2;
            if (end)
                Close(call);
        }
        await (end ? EndedAsync(call) : AnnounceAsync(call));
    }

    /// <summary>Takes an ended call out (under the lock).</summary>
    private void Close(Call call)
    {
        call.Ended = true;
        call.Participants.Clear();
        call.Ringing.Clear();
        _calls.Remove(call.ChannelId);
        call.RingTimer.Cancel();
    }

    /// <summary>Tells the members the call is over and writes its line in the conversation.</summary>
    private async Task EndedAsync(Call call)
    {
        await AnnounceAsync(call);
        var missed = call.ConnectedAt is null;
        var content = missed ? "" : ((long)(time.GetUtcNow() - call.ConnectedAt!.Value).TotalSeconds).ToString(CultureInfo.InvariantCulture);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
            await using var change = await scope.ServiceProvider.GetRequiredService<EventLog>().BeginAsync(CancellationToken.None);
            await SystemMessages.PostAsync(db, change, call.ChannelId, call.StartedBy, missed ? MessageKind.CallMissed : MessageKind.CallEnded,
                null, content, CancellationToken.None);
            await change.CommitAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Runs after the call, with nobody to answer (the conversation may be gone): the call ended all the same.
            LogLineFailed(e, call.ChannelId);
        }
    }

    private async Task<DmCallState> AnnounceAsync(Call call)
    {
        DmCallState state;
        lock (_lock)
            state = State(call);
        await fanout.SendSignalAsync(new GatewaySignal("CallState", [GatewayGroups.Channel(call.ChannelId)],
            JsonSerializer.SerializeToElement(state, EventLog.PayloadJson)), CancellationToken.None);
        return state;
    }

    private static DmCallState State(Call call) =>
        new(call.ChannelId, call.StartedBy, call.StartedAt, call.ConnectedAt, call.Participants.Keys.Order().ToList(), call.Ringing.Order().ToList(), call.Ended);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the call line in conversation {ChannelId} failed")]
    private partial void LogLineFailed(Exception e, Snowflake channelId);
}
