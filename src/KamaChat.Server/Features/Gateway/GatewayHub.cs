using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.ReadStates;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// The real-time gateway at /hubs/gateway. Server → client messages: "Ready" (on connect), "Event" (logged changes,
/// see <see cref="GatewayEvent"/>), "Typing", "Presence". Client → server: Resume, Refresh, StartTyping, SetPresence, SetAway, Ack.
/// Errors are HubExceptions whose message starts with a stable code ("not_found: …").
/// </summary>
[Authorize]
public sealed partial class GatewayHub(
    ConnectionRegistry connections,
    PresenceTracker presence,
    TypingThrottle typing,
    IGatewayFanout fanout,
    GatewayGroups groups,
    ReadyBuilder ready,
    ResumeService resume,
    PermissionService permissions,
    ReadStateService readStates,
    IOptions<GatewayOptions> options,
    ConnectLimit connectLimit,
    Calls.VoiceChannels voice,
    Calls.VoiceMesh mesh,
    Calls.DmCalls calls,
    TimeProvider time,
    PresenceAudience audience,
    IServiceScopeFactory scopes,
    GatewayLifetimeManager lifetime) : Hub
{
    public override async Task OnConnectedAsync()
    {
        var user = CurrentUser.From(Context.User!);
        // Both refused before any database work: a refused connection costs what its handshake did.
        if (!connectLimit.TryConnect(user.Id))
            throw new HubException("rate_limited: Too many new gateway connections for this account; wait a minute.");
        // The lifetime manager took the connection before the hub hears of it (SignalR's order), so its set is there
        // unless the connection already closed (then an empty one: nothing will be sent to it).
        var connection = new GatewayConnection(Context.ConnectionId, user.Id, user.SessionId, Context,
            lifetime.GroupsOf(Context.ConnectionId) ?? new(StringComparer.Ordinal));
        if (!connections.TryAdd(connection, options.Value.ConnectionsPerUser, options.Value.ConnectionsPerSession))
            throw new HubException("rate_limited: Too many gateway connections for this account or device; close one first.");

        var payload = await GroupAndBuildReadyAsync(connection);
        if (payload is null)
        {
            Context.Abort();
            return;
        }
        // What the client now has of each server; a view the dispatcher sent meanwhile (newer) is kept.
        connection.NoteReady(payload.Servers, onlyMissing: true);
        await Clients.Caller.SendAsync("Ready", payload, Context.ConnectionAborted);

        if (await presence.ConnectedAsync(connection.UserId) is { } status)
            await AnnounceAsync(fanout, audience, connection, status);
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        var connection = connections.Find(Context.ConnectionId);
        connections.Remove(Context.ConnectionId);
        if (connection is not null)
        {
            var log = Context.GetHttpContext()?.RequestServices.GetRequiredService<ILogger<GatewayHub>>();
            // Not awaited: it waits for a group sync that may be running on this connection (the dispatcher's) to end.
            // Observed, so that a failure (which would leave the user in this node's presence index) is logged.
            _ = connections.LeaveServersAsync(connection).ContinueWith(
                left => log?.LogError(left.Exception, "Taking closed connection {ConnectionId} out of its servers failed", connection.ConnectionId),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            var voiceChannels = voice;
            var voiceMesh = mesh;
            var dmCalls = calls;
            // A closed socket (tab closed, session revoked, network gone) leaves its voice channel and its call at once.
            _ = Task.Run(async () =>
            {
                try
                {
                    await dmCalls.LeaveAsync(connection.UserId, connection.ConnectionId);
                    await voiceChannels.LeaveAsync(connection.UserId, connection.ConnectionId, CancellationToken.None);
                    await voiceMesh.LeaveAsync(connection.UserId, connection.ConnectionId);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    log?.LogWarning(e, "Leaving voice on disconnect failed for user {UserId}", connection.UserId);
                }
            });
            var signals = fanout;
            var services = scopes;
            presence.Disconnected(connection.UserId, wasActive: connection.CloseActivity(), async status =>
            {
                await using var scope = services.CreateAsyncScope();
                try
                {
                    await AnnounceAsync(signals, scope.ServiceProvider.GetRequiredService<PresenceAudience>(), connection, status);
                    if (status != PresenceStatus.Offline)
                        return;
                    await scope.ServiceProvider.GetRequiredService<Servers.TemporaryMembership>().ExpireAsync(connection.UserId, CancellationToken.None);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Runs after the connection is gone, with nobody to answer; the next disconnect tries again.
                    scope.ServiceProvider.GetRequiredService<ILogger<GatewayHub>>().LogWarning(e, "Announcing {Status} after a disconnect failed for user {UserId}", status, connection.UserId);
                }
            });
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// A fresh Ready on this connection, for a client whose servers, roles or permissions changed (it learns of that
    /// from events, which carry no per-user permissions). Asking here instead of reconnecting keeps the connection's
    /// calls, voice session and presence; the client then resumes from its own cursors as after a reconnect. It costs a
    /// connect's work, so it draws on the account's connect budget.
    /// </summary>
    public async Task<ReadyPayload> Refresh()
    {
        var connection = connections.Find(Context.ConnectionId) ?? throw new HubException("not_found: The connection is closing.");
        if (!connectLimit.TryConnect(connection.UserId))
            throw new HubException("rate_limited: Too many fresh starts for this account; retry in 10 s.");
        var payload = await GroupAndBuildReadyAsync(connection) ?? throw new HubException("not_found: The account is gone.");
        connection.NoteReady(payload.Servers, onlyMissing: false);
        return payload;
    }

    /// <summary>
    /// Stream positions first (Ready's cursors are never past what it shows), then the connection's groups before the
    /// rest of Ready, so nothing committed from here on is missed. Null when the user or session is gone.
    /// </summary>
    private Task<ReadyPayload?> GroupAndBuildReadyAsync(GatewayConnection connection) =>
        ready.OnOneConnectionAsync(async () =>
        {
            var (positions, snapshot) = await ready.PositionsAndSnapshotAsync(connection.UserId, groups, Context.ConnectionAborted);
            await GatewayGroups.SyncAsync(HubContext, connections, connection, snapshot.Groups, Context.ConnectionAborted);
            return await ready.BuildAsync(connection.UserId, connection.SessionId, positions, snapshot, Context.ConnectionAborted);
        }, Context.ConnectionAborted);

    /// <summary>Everything logged after the client's cursors, for the streams it may still see (at most <see cref="ResumeService.MaxStreams"/> a call).</summary>
    public Task<ResumeResult> Resume(StreamCursors cursors) =>
        resume.ResumeAsync(connections.Find(Context.ConnectionId) ?? throw new HubException("not_found: The connection is closing."),
            cursors ?? new StreamCursors(null, null, null), Context.ConnectionAborted);

    public async Task StartTyping(string channelId)
    {
        var id = ParseId(channelId, nameof(channelId));
        var userId = CurrentUser.From(Context.User!).Id;
        // The same decision the REST filters make; only its refusals are hub errors instead of problems.
        var decision = await permissions.AuthorizeChannelAsync(userId, id, Permissions.Permissions.SendMessages, Context.ConnectionAborted);
        if (decision.Access is null)
            throw new HubException("not_found: The channel was not found.");
        if (!decision.Allowed)
            throw new HubException(PermissionProblems.HubRefusal(decision));
        if (typing.TryStart(userId, id, out var expiresAt))
            await fanout.SendSignalAsync(Signal("Typing", [GatewayGroups.Channel(id)],
                new TypingStarted(id, userId, expiresAt)) with { ExceptConnectionId = Context.ConnectionId },
                Context.ConnectionAborted);
    }

    public async Task SetPresence(string status)
    {
        if (status is null || !PresenceStatus.IsSettable(status))
            throw new HubException("validation_failed: status must be online, idle, dnd or invisible.");
        var connection = connections.Find(Context.ConnectionId);
        if (connection is not null)
            await AnnounceAsync(fanout, audience, connection, await presence.SetAsync(connection.UserId, status));
    }

    /// <summary>
    /// The client's person went away (no input for 10 minutes) or came back. Others see an "online" user as "idle"
    /// only while all of that user's connections say so.
    /// </summary>
    public async Task SetAway(bool away)
    {
        var connection = connections.Find(Context.ConnectionId);
        if (connection is null || !connection.TrySetAway(away))
            return;
        if (await presence.SetAwayAsync(connection.UserId, away) is { } status)
            await AnnounceAsync(fanout, audience, connection, status);
    }

    /// <summary>
    /// Follows the presence of these members of a server in its member list (at most <see cref="PresenceAudience.MaxWatched"/>;
    /// each call replaces the last, an empty list stops) and answers their presence now. In a large server presence
    /// reaches only those who watch; in a smaller one it reaches every member anyway and this only answers. Ids of
    /// people who are not members are left out; 404 when the caller is not a member.
    /// </summary>
    public async Task<List<PresenceUpdated>> WatchPresences(string serverId, string[] userIds)
    {
        var server = ParseId(serverId, nameof(serverId));
        if (userIds is null || userIds.Length > PresenceAudience.MaxWatched)
            throw new HubException($"validation_failed: userIds must be a list of at most {PresenceAudience.MaxWatched} ids.");
        var ids = userIds.Select(id => ParseId(id, nameof(userIds))).ToHashSet();
        var connection = connections.Find(Context.ConnectionId) ?? throw new HubException("not_found: The connection is closing.");
        var watchable = await audience.WatchableAsync(connection.UserId, server, ids, Context.ConnectionAborted)
            ?? throw new HubException("not_found: The server was not found.");
        var (members, large) = watchable;
        var desired = large ? members.Select(GatewayGroups.PresenceOf).ToHashSet(StringComparer.Ordinal) : [];
        var watching = connection.Groups.Keys.Where(g => g.StartsWith(GatewayGroups.PresencePrefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        connection.WatchedServer = large && members.Count > 0 ? server : null;
        await GatewayGroups.SyncWithinAsync(HubContext, connections, connection, desired, within: new HashSet<string>(watching.Concat(desired), StringComparer.Ordinal), Context.ConnectionAborted);
        var statuses = await presence.StatusesAsync(members);
        return [.. members.Select(id => new PresenceUpdated(id, statuses.GetValueOrDefault(id, PresenceStatus.Offline)))];
    }

    public async Task<ReadStateResponse> Ack(string channelId, string messageId)
    {
        var (outcome, state) = await readStates.AckAsync(
            CurrentUser.From(Context.User!).Id, ParseId(channelId, nameof(channelId)), ParseId(messageId, nameof(messageId)), Context.ConnectionAborted);
        return outcome switch
        {
            AckOutcome.Acknowledged => state!,
            AckOutcome.MessageNotFound => throw new HubException("not_found: The message was not found."),
            _ => throw new HubException("not_found: The channel was not found."),
        };
    }

    private IHubContext<GatewayHub> HubContext => Context.GetHttpContext()!.RequestServices.GetRequiredService<IHubContext<GatewayHub>>();

    /// <summary>Presence goes to everyone who shares a server or a DM with the user, and to their friends (<see cref="PresenceAudience"/>).</summary>
    private static async Task AnnounceAsync(IGatewayFanout fanout, PresenceAudience audience, GatewayConnection connection, string status)
    {
        var targets = await audience.GroupsAsync(connection.UserId, CancellationToken.None);
        await fanout.SendSignalAsync(Signal("Presence", [.. targets], new PresenceUpdated(connection.UserId, status)), CancellationToken.None);
    }

    private static GatewaySignal Signal<T>(string method, string[] groups, T payload) =>
        new(method, groups, System.Text.Json.JsonSerializer.SerializeToElement(payload, Events.EventLog.PayloadJson));

    private static Snowflake ParseId(string? text, string name) =>
        Snowflake.TryParse(text, out var id) && id != default
            ? id
            : throw new HubException($"validation_failed: {name} must be an id.");
}
