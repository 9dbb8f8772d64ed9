using System.Diagnostics.Metrics;
using KamaChat.Server.Features.Events;

namespace KamaChat.Server.Features.Gateway;

/// <summary>How an event reached this node: its own commit, another node's Redis message, or the event-log poll.</summary>
public enum EventPath
{
    Local,
    Fanout,
    Poll,
}

/// <summary>
/// The gateway's numbers for /metrics and OTLP: live connections, events delivered, and how long after its commit each
/// event went out. The delay is tagged with the path that brought the event first, so "poll" standing out means the
/// fast path (Redis) is losing messages and the log is catching them.
/// </summary>
public sealed class GatewayMetrics
{
    public const string Name = "KamaChat.Gateway";

    private readonly TimeProvider _time;
    private readonly Counter<long> _events;
    private readonly Histogram<double> _lag;
    private readonly Histogram<double> _dispatch;
    private readonly Counter<long> _overflows;
    private static readonly KeyValuePair<string, object?> QueueStage = new("stage", "queue");
    private static readonly KeyValuePair<string, object?> SendStage = new("stage", "send");

    public GatewayMetrics(IMeterFactory meters, ConnectionRegistry connections, TimeProvider time)
    {
        _time = time;
        var meter = meters.Create(Name);
        meter.CreateObservableGauge("kamachat.gateway.connections", () => connections.Count, "{connection}",
            "Live gateway connections on this node.");
        _events = meter.CreateCounter<long>("kamachat.gateway.events", "{event}",
            "Events this node delivered to its connections (once per event and group, whatever the group's size), by scope.");
        _lag = meter.CreateHistogram<double>("kamachat.gateway.delivery.lag", "s",
            "From an event's commit to this node handing it to its connections, by the path that brought it first.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        _dispatch = meter.CreateHistogram<double>("kamachat.gateway.dispatch", "s",
            "An event's time in this node's dispatcher: queue (handed over to picked up, behind earlier events) and send (groups synced, written to its connections).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Messages.SendMetrics.StageBuckets });
        _overflows = meter.CreateCounter<long>("kamachat.gateway.outbox.overflows", "{connection}",
            "Connections closed because more messages waited for them than the outbox limit (a client not reading).");
    }

    /// <summary>A connection was closed for not reading (see <see cref="GatewayOptions.OutboxLimit"/>).</summary>
    public void OutboxOverflowed() => _overflows.Add(1);

    /// <summary>The dispatcher picked an event up; returns when (for <see cref="Delivered"/>).</summary>
    public long Dequeued(long acceptedAt)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        _dispatch.Record(System.Diagnostics.Stopwatch.GetElapsedTime(acceptedAt, now).TotalSeconds, QueueStage);
        return now;
    }

    public void Delivered(EventLogEntry entry, EventPath path, long startedAt)
    {
        _dispatch.Record(System.Diagnostics.Stopwatch.GetElapsedTime(startedAt).TotalSeconds, SendStage);
        var scope = new KeyValuePair<string, object?>("scope", entry.Scope.ToString().ToLowerInvariant());
        _events.Add(1, scope);
        // Clocks of different nodes disagree a little; a negative delay is recorded as none.
        var lag = Math.Max(0, (_time.GetUtcNow() - entry.CreatedAt).TotalSeconds);
        _lag.Record(lag, new KeyValuePair<string, object?>("path", PathName(path)));
    }

    private static string PathName(EventPath path) => path switch
    {
        EventPath.Fanout => "fanout",
        EventPath.Poll => "poll",
        _ => "local",
    };
}
