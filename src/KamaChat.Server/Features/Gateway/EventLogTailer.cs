using System.Globalization;
using KamaChat.Server.Data;
using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Gateway;

/// <summary>Gateway settings: how events from other nodes are picked up and how long the event log is kept.</summary>
public sealed class GatewayOptions : ISettingErrors
{
    /// <summary>How often this node reads events other nodes committed. Zero turns it off (one node on SQLite).</summary>
    public TimeSpan PollInterval { get; set; }

    /// <summary>How far back each read looks past the newest event already seen: commits land slightly out of id order across nodes.</summary>
    public TimeSpan PollOverlap { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long events stay in the log for Resume (DESIGN: at least 24 h).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Hub calls one connection may make per second, sustained, and in a burst.</summary>
    public int CallsPerSecond { get; set; } = 20;

    public int CallBurst { get; set; } = 40;

    /// <summary>Live gateway connections one account may hold on this node, and one session (a device or browser) of it.</summary>
    public int ConnectionsPerUser { get; set; } = 20;

    public int ConnectionsPerSession { get; set; } = 10;

    /// <summary>
    /// A server with more members than this is large: its members' presence goes only to the connections that watch them
    /// (<see cref="GatewayHub.WatchPresences"/>: the member list on screen), not to everyone in it, as Discord does for
    /// large guilds. Otherwise each member coming online would be told to every connected member: with 5,000 of them
    /// connecting, 12.5 million messages.
    /// </summary>
    public int LargeServerMembers { get; set; } = 1000;

    /// <summary>New gateway connections one account may open on this node per minute.</summary>
    public int ConnectsPerMinute { get; set; } = 30;

    /// <summary>
    /// What Resume may cost one account per second on this node, across its connections, and in a burst: a stream asked
    /// for costs 1, a server whose permissions must be checked 5, ten events read 1. A reconnect of a client in many
    /// servers spends a few thousand at once; a flood is held to the steady rate.
    /// </summary>
    public int ResumeCostPerSecond { get; set; } = 500;

    public int ResumeCostBurst { get; set; } = 5000;

    /// <summary>
    /// Messages one connection may have waiting behind a pending write (its client reads slower than it is sent to, or
    /// not at all) before it is closed; the client reconnects and resumes from the log. 1,000 is five seconds of the
    /// gateway bench's traffic to every listener (200 events/s), far beyond what a reading client lags; the messages
    /// are shared with the other connections, so a full outbox holds little more than its 1,000 references.
    /// </summary>
    public int OutboxLimit { get; set; } = 1000;

    /// <summary>
    /// How long one write to a connection's socket may take before the connection is closed (SignalR's
    /// TransportSendTimeout, whose default this is): a client whose socket takes nothing at all is closed after it.
    /// </summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public List<string> Errors { get; } = [];

    public static void Bind(GatewayOptions options, IConfiguration configuration, DatabaseOptions database)
    {
        // Several nodes only make sense on PostgreSQL; there each node reads the others' events from the shared log.
        options.PollInterval = database.Provider == DatabaseProvider.Postgres ? TimeSpan.FromMilliseconds(200) : TimeSpan.Zero;
        options.PollInterval = TimeSpan.FromMilliseconds(Number("KAMACHAT_EVENT_POLL_MS", (int)options.PollInterval.TotalMilliseconds, 0, 60_000));
        options.CallsPerSecond = Number("KAMACHAT_GATEWAY_CALLS_PER_SECOND", options.CallsPerSecond, 1, 1_000_000);
        options.CallBurst = Number("KAMACHAT_GATEWAY_CALL_BURST", options.CallBurst, 1, 1_000_000);
        options.Retention = TimeSpan.FromHours(Number("KAMACHAT_EVENT_RETENTION_HOURS", (int)options.Retention.TotalHours, 1, 8_760));
        options.ConnectionsPerUser = Number("KAMACHAT_GATEWAY_CONNECTIONS_PER_USER", options.ConnectionsPerUser, 1, 1_000_000);
        options.ConnectionsPerSession = Number("KAMACHAT_GATEWAY_CONNECTIONS_PER_SESSION", options.ConnectionsPerSession, 1, 1_000_000);
        options.ConnectsPerMinute = Number("KAMACHAT_GATEWAY_CONNECTS_PER_MINUTE", options.ConnectsPerMinute, 1, 1_000_000);
        options.ResumeCostPerSecond = Number("KAMACHAT_RESUME_COST_PER_SECOND", options.ResumeCostPerSecond, 1, 1_000_000);
        options.ResumeCostBurst = Number("KAMACHAT_RESUME_COST_BURST", options.ResumeCostBurst, 1, 1_000_000);
        options.LargeServerMembers = Number("KAMACHAT_LARGE_SERVER_MEMBERS", options.LargeServerMembers, 1, 1_000_000);
        options.OutboxLimit = Number("KAMACHAT_GATEWAY_OUTBOX_LIMIT", options.OutboxLimit, 1, 1_000_000);
        options.SendTimeout = TimeSpan.FromSeconds(Number("KAMACHAT_GATEWAY_SEND_TIMEOUT_SECONDS", (int)options.SendTimeout.TotalSeconds, 1, 3_600));

        int Number(string name, int fallback, int minimum, int maximum) =>
            WholeNumberSetting.Read(configuration, name, fallback, minimum, maximum, options.Errors);
    }
}

/// <summary>
/// Delivers events committed on OTHER nodes to this node's connections by reading the shared event log, and prunes
/// the log past its retention. Because every node reads the log itself, an event committed by a node that dies
/// a moment later still reaches everyone; the log, not a node's memory or a fire-and-forget backplane, is the truth.
/// </summary>
public sealed class EventLogTailer(
    IServiceScopeFactory scopes,
    EventDispatcher dispatcher,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<EventLogTailer> logger) : BackgroundService
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var interval = settings.PollInterval > TimeSpan.Zero ? settings.PollInterval : PruneEvery;
        var newestSeen = time.GetUtcNow() - settings.PollOverlap;
        var lastPrune = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
                if (settings.PollInterval > TimeSpan.Zero)
                    newestSeen = await ReadNewAsync(db, newestSeen, settings.PollOverlap, stoppingToken);
                if (time.GetUtcNow() - lastPrune >= PruneEvery)
                {
                    lastPrune = time.GetUtcNow();
                    var cutoff = lastPrune - settings.Retention;
                    await db.EventLog.Where(e => e.CreatedAt < cutoff).ExecuteDeleteAsync(stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Reading the event log failed; retrying");
            }
        }
    }

    /// <summary>
    /// The events committed since the last read (with an overlap), in two steps: their ids, then whole rows only for the
    /// ones this node has not seen. Most of the window is this node's own commits and events an earlier read or Redis
    /// brought, so at a thousand sends a second a read costs a list of ids, not the window's payloads again.
    /// </summary>
    private async Task<DateTimeOffset> ReadNewAsync(KamaDbContext db, DateTimeOffset newestSeen, TimeSpan overlap, CancellationToken cancellationToken)
    {
        var since = newestSeen - overlap;
        var window = await db.EventLog.AsNoTracking()
            .Where(e => e.CreatedAt > since)
            .OrderBy(e => e.CreatedAt)
            .Select(e => new { e.Id, e.CreatedAt })
            .Take(10_000)
            .ToListAsync(cancellationToken);
        if (window.Count == 0)
            return newestSeen;
        var unseen = window.Where(e => !dispatcher.HasSeen(e.Id)).Select(e => e.Id).ToList();
        if (unseen.Count > 0)
        {
            var recent = await db.EventLog.AsNoTracking()
                .Where(e => unseen.Contains(e.Id))
                .OrderBy(e => e.Scope).ThenBy(e => e.ScopeId).ThenBy(e => e.Sequence)
                .ToListAsync(cancellationToken);
            dispatcher.Accept(recent, EventPath.Poll);
        }
        var newest = window.Max(e => e.CreatedAt);
        return newest > newestSeen ? newest : newestSeen;
    }
}
