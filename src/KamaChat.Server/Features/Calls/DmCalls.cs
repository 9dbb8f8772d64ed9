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
/// offers, answers and ICE candidates between their gateway connections (on whichever nodes they are), and keeps the
/// call's state (who is in, on which node and connection, who rings) in <see cref="IDmCallStore"/> — this node's
/// memory, or Redis shared by every node — sent as "CallState" signals to the conversation's members. Media goes
/// between the browsers (through TURN when they cannot reach each other); a group DM call is a mesh, each pair with its
/// own connection. A call that nobody answered (every device declined, the ring timed out, or the caller hung up or
/// lost the connection first) leaves a "callMissed" line in the conversation; a call that was answered leaves a
/// "callEnded" line with its length in seconds. Whoever ends a call (one atomic change) writes that line, so it is
/// written once whatever the number of nodes; a dead node's participants are taken out by <see cref="DmCallKeeper"/>.
/// </summary>
public sealed partial class DmCalls(
    IceServers iceServers, IOptions<TurnOptions> turn, IOptions<DmCallOptions> options, IDmCallStore store, IVoiceStates voiceStates,
    IGatewayFanout fanout, IServiceScopeFactory scopes, TimeProvider time, ILogger<DmCalls> logger)
{
    /// <summary>This node's name in seats (the voice states' node name: unique per process).</summary>
    private string Node => voiceStates.Node;

    /// <summary>The calls going on in these conversations (for Ready).</summary>
    public async Task<IReadOnlyList<DmCallState>> InAsync(IReadOnlySet<Snowflake> channelIds) =>
        (await store.InAsync(channelIds)).Select(c => State(c)).ToList();

    /// <summary>
    /// Starts a call in a DM or group DM the user is in, ringing the others (in a DM, never across a block), or joins
    /// the call already going on there. Leaves any other call of the user's first.
    /// </summary>
    public async Task<DmCallJoined> StartAsync(GatewayConnection connection, Snowflake channelId, CancellationToken cancellationToken)
    {
        var ring = await RingListAsync(connection.UserId, channelId, cancellationToken);
        await LeaveOthersAsync(connection, channelId);
        var now = time.GetUtcNow();
        var fresh = new DmCallRecord(Guid.NewGuid().ToString("N"), channelId, connection.UserId, now, null, now + options.Value.RingTimeout, [], ring);
        var (before, after) = await store.ChangeAsync(channelId, c => Join(c ?? fresh, connection));
        if (before is null)
            _ = Task.Run(() => RingAsync(channelId, fresh.Id), CancellationToken.None);
        return await JoinedAsync(connection, before, after!);
    }

    /// <summary>Answers the ringing call in a conversation the user is in.</summary>
    public async Task<DmCallJoined> AcceptAsync(GatewayConnection connection, Snowflake channelId, CancellationToken cancellationToken)
    {
        await RingListAsync(connection.UserId, channelId, cancellationToken);
        if ((await store.InAsync([channelId])).Count == 0)
            throw new HubException("not_found: There is no call in this conversation.");
        await LeaveOthersAsync(connection, channelId);
        var (before, after) = await store.ChangeAsync(channelId, c => c is null ? null : Join(c, connection));
        return after is null
            ? throw new HubException("not_found: The call has ended.")
            : await JoinedAsync(connection, before, after);
    }

    /// <summary>Stops the user's devices ringing; when nobody else rings or is in the call but the caller, it was missed.</summary>
    public async Task DeclineAsync(Snowflake userId, Snowflake channelId)
    {
        var change = await store.ChangeAsync(channelId, c =>
            c is null || !c.Ringing.Contains(userId) ? c : Settle(c with { Ringing = [.. c.Ringing.Where(u => u != userId)] }));
        await AfterAsync(change);
    }

    /// <summary>
    /// Takes this connection out of its call (hang up, socket closed, call joined elsewhere). The call ends when
    /// fewer than two people are left in it and nobody else rings.
    /// </summary>
    public async Task LeaveAsync(Snowflake userId, string connectionId, Snowflake? channelId = null)
    {
        var calls = channelId is { } id ? await store.InAsync([id]) : await store.OfUserAsync(userId);
        foreach (var call in calls.Where(c => c.Seat(userId)?.ConnectionId == connectionId))
            await LeaveSeatAsync(call.ChannelId, userId, connectionId);
    }

    /// <summary>
    /// After a change to the conversations the user is in (<paramref name="groups"/>: the gateway groups they should
    /// be in now): out of the calls of conversations they left or were removed from, ringing or in the call.
    /// </summary>
    public async Task RecheckAsync(Snowflake userId, IReadOnlySet<string> groups)
    {
        foreach (var call in (await store.OfUserAsync(userId)).Where(c => !groups.Contains(GatewayGroups.Channel(c.ChannelId))))
        {
            await DeclineAsync(userId, call.ChannelId);
            if (call.Seat(userId) is { } seat && await LeaveSeatAsync(call.ChannelId, userId, seat.ConnectionId))
                await SendToAsync(seat.ConnectionId, "CallLeft", call.ChannelId.ToString());
        }
    }

    /// <summary>Relays a signal to another participant's connection; both must be in the call, on these connections.</summary>
    public async Task RelayAsync(GatewayConnection connection, Snowflake channelId, Snowflake toUserId, CallSignal signal)
    {
        var call = (await store.InAsync([channelId])).SingleOrDefault();
        if (call?.Seat(connection.UserId)?.ConnectionId != connection.ConnectionId)
            throw new HubException("not_found: This connection is not in that call.");
        var target = call!.Seat(toUserId) ?? throw new HubException("not_found: That user is not in the call.");
        await SendToAsync(target.ConnectionId, "CallSignal", new CallSignalReceived(channelId, connection.UserId, signal));
    }

    /// <summary>Records whether this connection's camera is on or it shares a screen in the call; the members are told.</summary>
    public async Task SetMediaAsync(GatewayConnection connection, Snowflake channelId, DmCallMedia media)
    {
        var change = await store.ChangeAsync(channelId, c =>
            c?.Seat(connection.UserId) is not { } seat || seat.ConnectionId != connection.ConnectionId || (seat.Video, seat.Stream) == (media.Video, media.Stream)
                ? c
                : c with { Participants = [.. c.Participants.Select(p => p == seat ? seat with { Video = media.Video, Stream = media.Stream } : p)] });
        if (change.After?.Seat(connection.UserId)?.ConnectionId != connection.ConnectionId)
            throw new HubException("not_found: This connection is not in that call.");
        await AfterAsync(change);
    }

    /// <summary>
    /// A round of <see cref="DmCallKeeper"/>: renews this node's lease, takes out the seats of nodes whose lease lapsed
    /// and stops the ringing of calls whose ring timed out while the node that started them was gone.
    /// </summary>
    public async Task KeepAsync(TimeSpan lease)
    {
        await store.RenewAsync(Node, lease);
        var alive = new Dictionary<string, bool> { [Node] = true };
        foreach (var call in await store.AllAsync())
        {
            foreach (var seat in call.Participants)
            {
                if (!alive.TryGetValue(seat.Node, out var up))
                    alive[seat.Node] = up = await store.AliveAsync(seat.Node);
                if (!up)
                    await LeaveSeatAsync(call.ChannelId, seat.UserId, seat.ConnectionId);
            }
            // The starting node's timer ends the ring; this is for when that node died (a lease later, so that
            // clocks a little apart do not cut a ring short).
            if (call.Ringing.Count > 0 && call.RingUntil + lease <= time.GetUtcNow())
                await RingTimedOutAsync(call.ChannelId, call.Id);
        }
    }

    /// <summary>Takes one seat out of a call: true when this did it (it was still there).</summary>
    private async Task<bool> LeaveSeatAsync(Snowflake channelId, Snowflake userId, string connectionId)
    {
        var change = await store.ChangeAsync(channelId, c =>
            c?.Seat(userId)?.ConnectionId != connectionId ? c : Settle(c with { Participants = [.. c.Participants.Where(p => p.UserId != userId)] }));
        await AfterAsync(change);
        return !ReferenceEquals(change.Before, change.After);
    }

    /// <summary>
    /// The call after someone left or stopped ringing, or null when it is over: nobody is left in it, or one is left
    /// and nobody rings any more.
    /// </summary>
    private static DmCallRecord? Settle(DmCallRecord call) =>
        call.Participants.Count == 0 || (call.Participants.Count < 2 && call.Ringing.Count == 0) ? null : call;

    private DmCallRecord Join(DmCallRecord call, GatewayConnection connection)
    {
        var participants = call.Participants.Where(p => p.UserId != connection.UserId).Append(new DmCallSeat(connection.UserId, Node, connection.ConnectionId)).ToList();
        return call with
        {
            Participants = participants,
            Ringing = [.. call.Ringing.Where(u => u != connection.UserId)],
            ConnectedAt = call.ConnectedAt ?? (participants.Count >= 2 ? time.GetUtcNow() : null),
        };
    }

    private async Task<DmCallJoined> JoinedAsync(GatewayConnection connection, DmCallRecord? before, DmCallRecord after)
    {
        // Joining from another device moves the call there: the first device is told it is out.
        if (before?.Seat(connection.UserId) is { } moved && moved.ConnectionId != connection.ConnectionId)
            await SendToAsync(moved.ConnectionId, "CallLeft", after.ChannelId.ToString());
        var state = await AnnounceAsync(State(after));
        var policy = turn.Value.RelayOnly ? "relay" : "all";
        return new DmCallJoined(after.ChannelId, iceServers.For(connection.UserId.Value), policy, state);
    }

    /// <summary>Leaves the user's calls in other conversations: one call at a time.</summary>
    private async Task LeaveOthersAsync(GatewayConnection connection, Snowflake channelId)
    {
        foreach (var call in await store.OfUserAsync(connection.UserId))
            if (call.ChannelId != channelId && call.Seat(connection.UserId) is { } seat)
                await LeaveSeatAsync(call.ChannelId, connection.UserId, seat.ConnectionId);
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
    private async Task RingAsync(Snowflake channelId, string callId)
    {
        await Task.Delay(options.Value.RingTimeout, time, CancellationToken.None);
        await RingTimedOutAsync(channelId, callId);
    }

    private async Task RingTimedOutAsync(Snowflake channelId, string callId) =>
        await AfterAsync(await store.ChangeAsync(channelId, c =>
            c is null || c.Id != callId || c.Ringing.Count == 0 ? c : c.Participants.Count < 2 ? null : c with { Ringing = [] }));

    /// <summary>Tells the members about a change: the new state, or that the call ended (and writes its line).</summary>
    private async Task AfterAsync((DmCallRecord? Before, DmCallRecord? After) change)
    {
        if (ReferenceEquals(change.Before, change.After) || change.Before is not { } before)
            return;
        if (change.After is { } after)
            await AnnounceAsync(State(after));
        else
            await EndedAsync(before);
    }

    /// <summary>Tells the members the call is over and writes its line in the conversation.</summary>
    private async Task EndedAsync(DmCallRecord call)
    {
        await AnnounceAsync(State(call, ended: true));
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

    private async Task<DmCallState> AnnounceAsync(DmCallState state)
    {
        await fanout.SendSignalAsync(new GatewaySignal("CallState", [GatewayGroups.Channel(state.ChannelId)],
            JsonSerializer.SerializeToElement(state, EventLog.PayloadJson)), CancellationToken.None);
        return state;
    }

    /// <summary>Sends to one gateway connection, on this node or another.</summary>
    private Task SendToAsync<T>(string connectionId, string method, T payload) =>
        fanout.SendSignalAsync(GatewaySignal.To(connectionId, method, JsonSerializer.SerializeToElement(payload, EventLog.PayloadJson)), CancellationToken.None);

    private static DmCallState State(DmCallRecord call, bool ended = false) =>
        ended
            ? new(call.ChannelId, call.StartedBy, call.StartedAt, call.ConnectedAt, [], [], true, [], [])
            : new(call.ChannelId, call.StartedBy, call.StartedAt, call.ConnectedAt, call.Participants.Select(p => p.UserId).Order().ToList(), call.Ringing.Order().ToList(), false,
                Users(call, p => p.Video), Users(call, p => p.Stream));

    private static List<Snowflake> Users(DmCallRecord call, Func<DmCallSeat, bool> which) =>
        call.Participants.Where(which).Select(p => p.UserId).Order().ToList();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the call line in conversation {ChannelId} failed")]
    private partial void LogLineFailed(Exception e, Snowflake channelId);
}
