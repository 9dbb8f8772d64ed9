using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace KamaChat.Server.Infrastructure.Jobs;

/// <summary>What the job queue does, for /metrics and OTLP: jobs queued, each run's outcome and time, dead letters, depth.</summary>
public sealed class JobMetrics
{
    public const string Name = "KamaChat.Jobs";

    /// <summary>One span per job run, so a trace shows the mail or media work a request set off.</summary>
    public static readonly ActivitySource Activities = new(Name);

    private readonly Meter _meter;
    private readonly Counter<long> _enqueued;
    private readonly Counter<long> _runs;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _deadLettered;

    public JobMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(Name);
        _enqueued = _meter.CreateCounter<long>("kamachat.jobs.enqueued", "{job}", "Jobs this node put on the queue.");
        _runs = _meter.CreateCounter<long>("kamachat.jobs.runs", "{run}", "Job attempts this node ran, by type and outcome (succeeded or failed).");
        _duration = _meter.CreateHistogram<double>("kamachat.jobs.duration", "s", "How long one attempt of a job took, by type.");
        _deadLettered = _meter.CreateCounter<long>("kamachat.jobs.dead_lettered", "{job}", "Jobs given up after their last attempt (or a permanent failure).");
    }

    public void Enqueued(string type) => _enqueued.Add(1, new KeyValuePair<string, object?>("job.type", type));

    public void Ran(string type, TimeSpan elapsed, bool succeeded)
    {
        var typeTag = new KeyValuePair<string, object?>("job.type", type);
        _runs.Add(1, typeTag, new KeyValuePair<string, object?>("outcome", succeeded ? "succeeded" : "failed"));
        _duration.Record(elapsed.TotalSeconds, typeTag);
    }

    public void DeadLettered(string type) => _deadLettered.Add(1, new KeyValuePair<string, object?>("job.type", type));

    /// <summary>
    /// The in-process queue's waiting jobs. RabbitMQ's depth is the broker's to report (its rabbitmq_prometheus plugin):
    /// asking it from here on every scrape would put a broker round trip inside a synchronous callback.
    /// </summary>
    public void ObserveDepth(Func<int> waiting) =>
        _meter.CreateObservableGauge("kamachat.jobs.queue.depth", waiting, "{job}", "Jobs waiting in this node's in-process queue.");
}
