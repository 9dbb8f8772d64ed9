using KamaChat.Server.Data;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.Relationships;
using KamaChat.Server.Features.ReadStates;
using KamaChat.Server.Features.Users;
using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Gateway;

/// <summary>Builds the snapshot a client gets on connect, with the stream positions it is consistent with.</summary>
public sealed class ReadyBuilder(
    KamaDbContext db, ReadStateService readStates, PresenceTracker presence, ConnectionRegistry connections, IOptions<ServerOptions> server,
    Calls.VoiceChannels voice,
    Calls.VoiceMesh mesh,
    Calls.DmCalls calls)
{
    public const int MaxPresences = 1000;
    public const int MaxPresenceCandidates = 5000;

    /// <summary>
    /// Runs a connect's (or a Refresh's) queries — a dozen: positions, the groups snapshot, Ready — on one database
    /// connection. EF Core otherwise takes one from the pool and gives it back for every query, and on PostgreSQL each
    /// return queues a reset of the connection's state that the next query's round trip runs first.
    /// </summary>
    public async Task<T> OnOneConnectionAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            return await work();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// The last sequence of every stream the user may follow. Read before the groups snapshot and everything else Ready
    /// shows: an event committed in between is then both in the payload and after the cursor (harmless: clients dedupe by
    /// id, and resume a stream whose next live event skips one). The other order could lose it: a cursor past a change
    /// the payload does not show. A stream missing here (a server joined or a DM opened since) starts at 0: the client
    /// resumes it from the beginning.
    /// </summary>
    public async Task<Dictionary<(EventScope, Snowflake), long>> PositionsAsync(Snowflake userId, CancellationToken cancellationToken) =>
        (await ReadyQueries.Positions.For(db)(db, userId).ToListAsync(cancellationToken)).ToDictionary(p => (p.Scope, p.ScopeId), p => p.LastSequence);

    /// <summary>
    /// <see cref="PositionsAsync"/>, then the groups snapshot's queries: one round trip on PostgreSQL (a
    /// <see cref="QueryBatch"/>), the positions its first statement, so still read before the snapshot (each statement of
    /// the batch sees what was committed before it started).
    /// </summary>
    public async Task<(Dictionary<(EventScope, Snowflake), long> Positions, GatewayGroups.Snapshot Snapshot)> PositionsAndSnapshotAsync(
        Snowflake userId, GatewayGroups groups, CancellationToken cancellationToken)
    {
        var (positions, facts) = await QueryBatch.RunAsync(db, async () => (await PositionsAsync(userId, cancellationToken), await groups.ReadAsync(userId, cancellationToken)),
            cancellationToken);
        return (positions, GatewayGroups.SnapshotOf(userId, facts));
    }

    /// <param name="positions">From <see cref="PositionsAsync"/>, read before <paramref name="snapshot"/>.</param>
    /// <param name="snapshot">The connection's groups as just computed, with the user's servers and what they can see in
    /// each, their DM channels and friends, which Ready reuses.</param>
    public async Task<ReadyPayload?> BuildAsync(
        Snowflake userId, Snowflake sessionId, Dictionary<(EventScope, Snowflake), long> positions, GatewayGroups.Snapshot snapshot, CancellationToken cancellationToken)
    {
        // The connection is registered by now, so a session revoked from here on is closed by its SessionRevoked event;
        // one revoked between the handshake's check and the registration is caught here (no user then).
        // One round trip on PostgreSQL (after the groups: what these show is read once the connection receives its changes).
        var (me, direct, readPositions, candidates) = await QueryBatch.RunAsync(db, async () => (
            await ReadyQueries.Me.For(db)(db, userId, sessionId, cancellationToken),
            await ReadyQueries.DirectChannelsAsync(db, userId, cancellationToken),
            await ReadyQueries.ReadStates.For(db)(db, userId).ToListAsync(cancellationToken),
            presence.SingleNode ? null : await ReadyQueries.PresenceCandidates.For(db)(db, userId, MaxPresenceCandidates).ToListAsync(cancellationToken)),
            cancellationToken);
        if (me is null)
            return null;

        var readyServers = new List<ReadyServer>(snapshot.Servers.Count);
        var channelIds = new List<Snowflake>();
        foreach (var server in snapshot.Servers)
        {
            channelIds.AddRange(server.Visible.Select(v => v.Channel.Id));
            readyServers.Add(new ReadyServer(server.Id, server.Name, server.IconUrl, server.OwnerId, ReadyChannel.Of(server.Visible), server.BannerUrl));
        }

        channelIds.AddRange(direct.Select(d => d.Id));

        // All of the user's read states (a row per channel they ever read), kept for the channels they see now: no list
        // of channel ids to send.
        var seen = channelIds.ToHashSet();
        var states = new Dictionary<Snowflake, Snowflake>();
        foreach (var state in readPositions)
            if (seen.Contains(state.ChannelId))
                states[state.ChannelId] = state.LastReadMessageId;
        var mentions = await readStates.MentionCountsAsync(userId, channelIds, states.Keys.ToHashSet(), cancellationToken);
        var readyStates = states.Keys.Union(mentions.Keys)
            .Select(channelId => new ReadyReadState(channelId, states.GetValueOrDefault(channelId), mentions.GetValueOrDefault(channelId)))
            .ToList();

        var serverIds = snapshot.Servers.Select(s => s.Id).ToList();
        // Bounded: a huge server's member list is paged in over REST; presence here covers who the client sees first. On
        // one node those online are the members connected here (no query); scaled out, some are on other nodes.
        IEnumerable<Snowflake> nearby = (IEnumerable<Snowflake>?)candidates ?? connections.UsersIn(serverIds, except: userId, MaxPresenceCandidates);
        var statuses = await presence.StatusesAsync(snapshot.FriendIds.Union(nearby).Union(direct.SelectMany(d => d.Recipients)).Where(id => id != userId).ToList());
        var presences = statuses
            .Where(p => p.Value != PresenceStatus.Offline)
            .Take(MaxPresences)
            .Select(p => new PresenceUpdated(p.Key, p.Value))
            .ToList();

        var cursors = new StreamCursors(
            channelIds.Distinct().ToDictionary(id => id.ToString(), id => Position(positions, EventScope.Channel, id)),
            serverIds.ToDictionary(id => id.ToString(), id => Position(positions, EventScope.Server, id)),
            Position(positions, EventScope.User, userId));
        return new ReadyPayload(
            MeResponse.From(me),
            readyServers,
            direct.Select(d => new ReadyDirectChannel(d.Id, ChannelResponse.TypeName(d.Type), d.Name, d.OwnerId, d.Recipients, d.LastMessageId)).ToList(),
            readyStates,
            presences,
            cursors,
            sessionId,
            server.Value.NodeId,
            await presence.ChosenAsync(userId),
            await VoiceStatesInAsync(readyServers.SelectMany(s => s.Channels).Where(c => c.Type == ChannelResponse.TypeName(ChannelType.Voice)).Select(c => c.Id).ToHashSet()),
            await calls.InAsync(direct.Select(d => d.Id).ToHashSet()));
    }

    /// <summary>Who is in these voice channels: through Janus (on any node) or in this node's peer-to-peer mesh.</summary>
    private async Task<List<Calls.VoiceState>> VoiceStatesInAsync(HashSet<Snowflake> channelIds) =>
        [.. await voice.StatesInAsync(channelIds), .. mesh.StatesIn(channelIds)];

    private static long Position(Dictionary<(EventScope, Snowflake), long> positions, EventScope scope, Snowflake id) =>
        positions.GetValueOrDefault((scope, id));
}
