using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace KamaChat.Server.Features.Messages;

/// <summary>
/// Where a send's time goes, for /metrics and the gateway bench's breakdown: checking it (handler start to queued for
/// its channel's commit), waiting for the commit, the commit itself (one transaction per batch), and how many sends each
/// commit carried. With the gateway's dispatch stages (<see cref="Gateway.GatewayMetrics"/>) they cover send → receive.
/// </summary>
public sealed class SendMetrics
{
    public const string Name = "KamaChat.Messages";

    /// <summary>Fine below 10 ms, where a send's stages mostly end.</summary>
    public static readonly double[] StageBuckets =
        [0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5];

    private static readonly KeyValuePair<string, object?> Prepare = new("stage", "prepare");
    private static readonly KeyValuePair<string, object?> Queue = new("stage", "queue");
    private static readonly KeyValuePair<string, object?> Commit = new("stage", "commit");

    private readonly Histogram<double> _stages;
    private readonly Histogram<long> _batches;

    public SendMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _stages = meter.CreateHistogram<double>("kamachat.messages.send.stage", "s",
            "A send's time per stage: prepare (checks, mentions, author), queue (waiting for its channel's commit), commit (its batch's transaction).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StageBuckets });
        _batches = meter.CreateHistogram<long>("kamachat.messages.send.batch", "{send}",
            "Sends committed together in one transaction (one per commit).",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128] });
    }

    internal void Prepared(long startedAt) => _stages.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, Prepare);

    internal void Queued(long queuedAt) => _stages.Record(Stopwatch.GetElapsedTime(queuedAt).TotalSeconds, Queue);

    internal void Committed(int sends, long beganAt)
    {
        var seconds = Stopwatch.GetElapsedTime(beganAt).TotalSeconds;
        for (var i = 0; i < sends; i++)
            _stages.Record(seconds, Commit);
        _batches.Record(sends);
    }
}
