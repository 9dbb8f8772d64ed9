using System.Globalization;
using System.Text;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// Replays what a reconnecting client missed, from the event log, for the streams it may still see. A stream whose
/// cursor is older than the log, or too far behind, is named in Refetch: the client reloads it over REST.
/// What one call may cost is bounded: at most <see cref="MaxStreams"/> streams; streams the connection does not receive
/// are dropped unread; the positions of all streams are read in one query, who may read the streams that have something
/// to replay is checked once per server, and the log is read in one query per batch of streams; and every call is
/// charged to the account's <see cref="ResumeBudget"/>.
/// </summary>
public sealed class ResumeService(KamaDbContext db, PermissionService permissions, ResumeBudget budget)
{
    public const int MaxStreams = 500;
    public const int MaxEventsPerStream = 1000;

    private const int StreamsPerQuery = 100;

    private readonly record struct Cursor(EventScope Scope, Snowflake Id, long After);

    public async Task<ResumeResult> ResumeAsync(GatewayConnection connection, StreamCursors cursors, CancellationToken cancellationToken)
    {
        var requested = (cursors.Channels?.Count ?? 0) + (cursors.Servers?.Count ?? 0) + (cursors.User is null ? 0 : 1);
        if (requested > MaxStreams)
            throw new HubException($"validation_failed: Resume takes at most {MaxStreams} streams per call; send the others in another call.");
        // Every stream named costs, seen or not: made-up ids are work too (parsing, filtering), and a flood of them
        // must empty the same budget as real ones.
        budget.Charge(connection.UserId, requested);

        // Only the streams this connection receives count: its groups follow what the user may see.
        var streams = new List<Cursor>(requested);
        foreach (var (text, after) in cursors.Channels ?? [])
            if (Snowflake.TryParse(text, out var id) && connection.Groups.ContainsKey(GatewayGroups.Channel(id)))
                streams.Add(new Cursor(EventScope.Channel, id, Math.Max(0, after)));
        foreach (var (text, after) in cursors.Servers ?? [])
            if (Snowflake.TryParse(text, out var id) && connection.Groups.ContainsKey(GatewayGroups.Server(id)))
                streams.Add(new Cursor(EventScope.Server, id, Math.Max(0, after)));
        if (cursors.User is { } userAfter)
            streams.Add(new Cursor(EventScope.User, connection.UserId, Math.Max(0, userAfter)));
        if (streams.Count == 0)
            return new ResumeResult([], []);

        // Positions first: every event up to them is committed, so a hole below one is a pruned log, never a race.
        var positions = await PositionsAsync(streams, cancellationToken);
        var refetch = new List<StreamRef>();
        var behind = new List<(Cursor Stream, long Last)>();
        foreach (var stream in streams)
        {
            var last = positions.GetValueOrDefault((stream.Scope, stream.Id));
            if (last <= stream.After)
                continue; // caught up: nothing to send, nothing to refetch
            if (last - stream.After > MaxEventsPerStream)
                refetch.Add(Ref(stream));
            else
                behind.Add((stream, last));
        }
        if (behind.Count == 0)
            return new ResumeResult([], refetch);

        var readable = await ReadableAsync(connection.UserId, behind.Select(b => b.Stream).ToList(), behind.Sum(b => b.Last - b.Stream.After), cancellationToken);
        behind.RemoveAll(b => !readable.Contains((b.Stream.Scope, b.Stream.Id)));

        var logged = await ReadLogAsync(behind, cancellationToken);
        var events = new List<GatewayEvent>();
        var visibleByServer = new Dictionary<Snowflake, HashSet<Snowflake>>();
        foreach (var (stream, last) in behind)
        {
            var missed = logged[(stream.Scope, stream.Id)].OrderBy(e => e.Sequence).ToList();
            // Anything but after+1 … last, each once, means the log no longer holds what was missed (it was pruned).
            if (missed.Count != last - stream.After || missed[0].Sequence != stream.After + 1)
                refetch.Add(Ref(stream));
            else
                foreach (var entry in missed)
                    events.Add(await ForReaderAsync(connection.UserId, entry, visibleByServer, cancellationToken));
        }
        return new ResumeResult(events, refetch);
    }

    /// <summary>
    /// A missed event as this reader gets it live: one describing a channel they may not view now is redacted, as the
    /// dispatcher does (<see cref="ChannelRedaction"/>). Checked against what they may view now, not then: a channel
    /// that became visible since arrives whole, one that became hidden is taken away.
    /// </summary>
    private async Task<GatewayEvent> ForReaderAsync(
        Snowflake userId, EventLogEntry entry, Dictionary<Snowflake, HashSet<Snowflake>> visibleByServer, CancellationToken cancellationToken)
    {
        var message = EventDispatcher.ToGatewayEvent(entry);
        if (ChannelRedaction.ChannelOf(entry) is not { } channelId)
            return message;
        if (!visibleByServer.TryGetValue(entry.ScopeId, out var visible))
        {
            budget.Charge(userId, 5);
            visible = (await permissions.VisibleChannelsAsync(userId, entry.ScopeId, cancellationToken)).Select(a => a.Channel.Id).ToHashSet();
            visibleByServer[entry.ScopeId] = visible;
        }
        return visible.Contains(channelId) ? message : ChannelRedaction.Hidden(message, channelId);
    }

    private async Task<Dictionary<(EventScope, Snowflake), long>> PositionsAsync(List<Cursor> streams, CancellationToken cancellationToken)
    {
        var channels = streams.Where(s => s.Scope == EventScope.Channel).Select(s => s.Id).ToList();
        var servers = streams.Where(s => s.Scope == EventScope.Server).Select(s => s.Id).ToList();
        var user = streams.Where(s => s.Scope == EventScope.User).Select(s => s.Id).ToList();
        return await db.EventSequences.AsNoTracking()
            .Where(s => (s.Scope == EventScope.Channel && channels.Contains(s.ScopeId)) ||
                        (s.Scope == EventScope.Server && servers.Contains(s.ScopeId)) ||
                        (s.Scope == EventScope.User && user.Contains(s.ScopeId)))
            .ToDictionaryAsync(s => (s.Scope, s.ScopeId), s => s.LastSequence, cancellationToken);
    }

    /// <summary>
    /// Which of the streams with something to replay the user may read now. Checked fresh (groups can trail a
    /// permission change by a moment): one query for the channels, one for DM recipients, one for memberships, and one
    /// permission resolution per server involved.
    /// </summary>
    private async Task<HashSet<(EventScope, Snowflake)>> ReadableAsync(Snowflake userId, List<Cursor> streams, long events, CancellationToken cancellationToken)
    {
        var readable = streams.Where(s => s.Scope == EventScope.User).Select(s => (s.Scope, s.Id)).ToHashSet();

        var channelIds = streams.Where(s => s.Scope == EventScope.Channel).Select(s => s.Id).ToList();
        var channels = channelIds.Count == 0 ? [] : await db.Channels.AsNoTracking().Where(c => channelIds.Contains(c.Id))
            .Select(c => new { c.Id, c.ServerId }).ToListAsync(cancellationToken);
        var serverIds = channels.Where(c => c.ServerId is not null).Select(c => c.ServerId!.Value).Distinct().ToList();
        budget.Charge(userId, (int)Math.Min(int.MaxValue, (5L * serverIds.Count) + (events / 10)));

        var direct = channels.Where(c => c.ServerId is null).Select(c => c.Id).ToList();
        if (direct.Count > 0)
            foreach (var id in await db.ChannelRecipients.AsNoTracking().Where(r => r.UserId == userId && direct.Contains(r.ChannelId))
                         .Select(r => r.ChannelId).ToListAsync(cancellationToken))
                readable.Add((EventScope.Channel, id));
        foreach (var serverId in serverIds)
            foreach (var access in await permissions.VisibleChannelsAsync(userId, serverId, cancellationToken))
                if (access.Has(Permissions.Permissions.ReadMessageHistory))
                    readable.Add((EventScope.Channel, access.Channel.Id));

        var memberOf = streams.Where(s => s.Scope == EventScope.Server).Select(s => s.Id).ToList();
        if (memberOf.Count > 0)
            foreach (var id in await db.Members.AsNoTracking().Where(m => m.UserId == userId && memberOf.Contains(m.ServerId))
                         .Select(m => m.ServerId).ToListAsync(cancellationToken))
                readable.Add((EventScope.Server, id));
        return readable;
    }

    /// <summary>The missed events of every stream, one query per batch of streams of one kind, each bounded by its cursor and position.</summary>
    private async Task<ILookup<(EventScope, Snowflake), EventLogEntry>> ReadLogAsync(List<(Cursor Stream, long Last)> streams, CancellationToken cancellationToken)
    {
        var rows = new List<EventLogEntry>();
        foreach (var scope in streams.GroupBy(s => s.Stream.Scope))
        {
            foreach (var batch in scope.Chunk(StreamsPerQuery))
            {
                var sql = new StringBuilder("SELECT * FROM event_log WHERE \"Scope\" = {0} AND (");
                var parameters = new List<object> { (int)scope.Key };
                foreach (var (stream, last) in batch)
                {
                    if (parameters.Count > 1)
                        sql.Append(" OR ");
                    sql.Append(CultureInfo.InvariantCulture,
                        $"(\"ScopeId\" = {{{parameters.Count}}} AND \"Sequence\" > {{{parameters.Count + 1}}} AND \"Sequence\" <= {{{parameters.Count + 2}}})");
                    parameters.AddRange([stream.Id.Value, stream.After, last]);
                }
                sql.Append(')');
                rows.AddRange(await db.EventLog.FromSqlRaw(sql.ToString(), [.. parameters]).AsNoTracking().ToListAsync(cancellationToken));
            }
        }
        return rows.ToLookup(e => (e.Scope, e.ScopeId));
    }

    private static StreamRef Ref(Cursor stream) =>
        new(stream.Scope.ToString().ToLowerInvariant(), stream.Id);
}
