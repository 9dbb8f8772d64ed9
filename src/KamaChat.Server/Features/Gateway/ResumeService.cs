using KamaChat.Server.Data;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// Replays what a reconnecting client missed, from the event log, for the streams it may still see.
/// A stream whose cursor is older than the log, or too far behind, is named in Refetch: the client reloads it over REST.
/// </summary>
public sealed class ResumeService(KamaDbContext db, PermissionService permissions)
{
    public const int MaxStreams = 500;
    public const int MaxEventsPerStream = 1000;

    public async Task<ResumeResult> ResumeAsync(Snowflake userId, StreamCursors cursors, CancellationToken cancellationToken)
    {
        var streams = new List<(EventScope Scope, Snowflake Id, long After)>();
        foreach (var (id, after) in cursors.Channels ?? [])
            if (Snowflake.TryParse(id, out var channelId) &&
                (await permissions.AuthorizeChannelAsync(userId, channelId, Permissions.Permissions.ReadMessageHistory, cancellationToken)).Allowed)
                streams.Add((EventScope.Channel, channelId, after));
        foreach (var (id, after) in cursors.Servers ?? [])
            if (Snowflake.TryParse(id, out var serverId) && await permissions.ForServerAsync(userId, serverId, cancellationToken) is not null)
                streams.Add((EventScope.Server, serverId, after));
        if (cursors.User is { } userAfter)
            streams.Add((EventScope.User, userId, userAfter));

        var events = new List<GatewayEvent>();
        var refetch = new List<StreamRef>();
        foreach (var (scope, id, after) in streams.Take(MaxStreams))
        {
            var missed = await db.EventLog.AsNoTracking()
                .Where(e => e.Scope == scope && e.ScopeId == id && e.Sequence > after)
                .OrderBy(e => e.Sequence)
                .Take(MaxEventsPerStream + 1)
                .ToListAsync(cancellationToken);
            var last = await db.EventSequences.AsNoTracking()
                .Where(s => s.Scope == scope && s.ScopeId == id).Select(s => (long?)s.LastSequence).SingleOrDefaultAsync(cancellationToken) ?? 0;
            // A hole right after the cursor means the log no longer holds what was missed (it was pruned).
            var pruned = after < last && (missed.Count == 0 || missed[0].Sequence != after + 1);
            if (pruned || missed.Count > MaxEventsPerStream)
                refetch.Add(new StreamRef(scope.ToString().ToLowerInvariant(), id));
            else
                events.AddRange(missed.Select(EventDispatcher.ToGatewayEvent));
        }
        return new ResumeResult(events, refetch);
    }
}
