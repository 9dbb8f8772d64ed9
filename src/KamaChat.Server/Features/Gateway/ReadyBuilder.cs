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
    KamaDbContext db, PermissionService permissions, ReadStateService readStates, PresenceTracker presence, IOptions<ServerOptions> server,
    Calls.VoiceChannels voice,
    Calls.VoiceMesh mesh,
    Calls.DmCalls calls)
{
    public const int MaxPresences = 1000;
    public const int MaxPresenceCandidates = 5000;

    /// <param name="snapshot">The connection's groups as just computed, with what the user can see per server, their DM
    /// channels and friends, which Ready reuses; servers missing from it (joined a moment ago) are looked up.</param>
    public async Task<ReadyPayload?> BuildAsync(Snowflake userId, Snowflake sessionId, GatewayGroups.Snapshot snapshot, CancellationToken cancellationToken)
    {
        var visibleByServer = snapshot.VisibleByServer;
        // Stream positions are read before the snapshot: an event committed in between is then both in the snapshot
        // and delivered with a higher sequence (harmless: clients dedupe by id). The other order could lose it. A
        // stream missing here (a server joined or a DM opened since the groups were computed) starts at 0: the client
        // resumes it from the beginning.
        var positions = await PositionsAsync(userId,
            [.. visibleByServer.Values.SelectMany(v => v).Select(v => v.Channel.Id), .. snapshot.DirectChannelIds], [.. visibleByServer.Keys], cancellationToken);

        // The connection is registered by now, so a session revoked from here on is closed by its SessionRevoked event;
        // one revoked between the handshake's check and the registration is caught here (no user then).
        var me = await db.Users.AsNoTracking()
            .Where(u => u.Id == userId && db.Sessions.Any(s => s.Id == sessionId && s.UserId == userId && s.RevokedAt == null))
            .SingleOrDefaultAsync(cancellationToken);
        if (me is null)
            return null;

        var servers = await db.Servers.AsNoTracking()
            .Where(s => s.Members.Any(m => m.UserId == userId))
            .OrderBy(s => s.Id)
            .Select(s => new { s.Id, s.Name, s.IconUrl, s.OwnerId, s.BannerUrl })
            .ToListAsync(cancellationToken);
        var readyServers = new List<ReadyServer>(servers.Count);
        var channelIds = new List<Snowflake>();
        foreach (var server in servers)
        {
            var visible = visibleByServer.TryGetValue(server.Id, out var known)
                ? known
                : await permissions.VisibleChannelsAsync(userId, server.Id, cancellationToken);
            channelIds.AddRange(visible.Select(v => v.Channel.Id));
            readyServers.Add(new ReadyServer(server.Id, server.Name, server.IconUrl, server.OwnerId, ReadyChannel.Of(visible), server.BannerUrl));
        }

        var direct = await db.Channels.AsNoTracking()
            .Where(c => c.Recipients.Any(r => r.UserId == userId))
            .OrderByDescending(c => c.LastMessageId ?? c.Id)
            .Select(c => new { c.Id, c.Type, c.Name, c.OwnerId, c.LastMessageId, Recipients = c.Recipients.Select(r => r.UserId).ToList() })
            .ToListAsync(cancellationToken);
        channelIds.AddRange(direct.Select(d => d.Id));

        var states = await db.ReadStates.AsNoTracking()
            .Where(r => r.UserId == userId && channelIds.Contains(r.ChannelId))
            .ToDictionaryAsync(r => r.ChannelId, r => r.LastReadMessageId, cancellationToken);
        var mentions = await readStates.MentionCountsAsync(userId, channelIds, states.Keys.ToHashSet(), cancellationToken);
        var readyStates = states.Keys.Union(mentions.Keys)
            .Select(channelId => new ReadyReadState(channelId, states.GetValueOrDefault(channelId), mentions.GetValueOrDefault(channelId)))
            .ToList();

        var serverIds = servers.Select(s => s.Id).ToList();
        // Bounded: a huge server's member list is paged in over REST; presence here covers who the client sees first.
        var nearby = await db.Members.AsNoTracking()
            .Where(m => serverIds.Contains(m.ServerId) && m.UserId != userId)
            .Select(m => m.UserId)
            .Distinct()
            .Take(MaxPresenceCandidates)
            .ToListAsync(cancellationToken);
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

    private async Task<Dictionary<(EventScope, Snowflake), long>> PositionsAsync(
        Snowflake userId, List<Snowflake> channelIds, List<Snowflake> serverIds, CancellationToken cancellationToken) =>
        await db.EventSequences.AsNoTracking()
            .Where(s => (s.Scope == EventScope.Channel && channelIds.Contains(s.ScopeId)) ||
                        (s.Scope == EventScope.Server && serverIds.Contains(s.ScopeId)) ||
                        (s.Scope == EventScope.User && s.ScopeId == userId))
            .ToDictionaryAsync(s => (s.Scope, s.ScopeId), s => s.LastSequence, cancellationToken);

    private static long Position(Dictionary<(EventScope, Snowflake), long> positions, EventScope scope, Snowflake id) =>
        positions.GetValueOrDefault((scope, id));
}
