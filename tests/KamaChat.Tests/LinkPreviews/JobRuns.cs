using System.Diagnostics.Metrics;
using KamaChat.Server.Infrastructure.Jobs;
using KamaChat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.LinkPreviews;

/// <summary>
/// Counts the finished runs of one job type in one app (its job metrics), so a test knows a job is done even when it
/// changed nothing; or, with <paramref name="instrumentName"/> <c>kamachat.jobs.enqueued</c>, the jobs of that type queued.
/// </summary>
public sealed class JobRuns : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly SemaphoreSlim _ran = new(0);
    private int _count;

    public JobRuns(KamaChatApp app, string jobType, string instrumentName = "kamachat.jobs.runs")
    {
        var factory = app.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == JobMetrics.Name && instrument.Name == instrumentName && ReferenceEquals(instrument.Meter.Scope, factory))
                l.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "job.type" && Equals(tag.Value, jobType))
                {
                    Interlocked.Increment(ref _count);
                    _ran.Release();
                }
            }
        });
        _listener.Start();
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Waits until <paramref name="count"/> runs have finished since this watcher started.</summary>
    public async Task WaitForAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (Volatile.Read(ref _count) < count)
            await _ran.WaitAsync(timeout.Token);
    }

    public void Dispose() => _listener.Dispose();
}
