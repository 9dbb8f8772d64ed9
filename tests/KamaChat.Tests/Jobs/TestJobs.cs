using System.Collections.Concurrent;
using KamaChat.Server.Infrastructure.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KamaChat.Tests.Jobs;

/// <summary>What the test jobs did, shared between the test and the handlers it registers.</summary>
public sealed class JobLedger
{
    /// <summary>How many times a handler started, per job id (deliveries).</summary>
    public ConcurrentDictionary<string, int> Runs { get; } = new();

    /// <summary>The idempotent effect: one entry per job, written once however often the job runs.</summary>
    public ConcurrentDictionary<string, string> Effects { get; } = new();

    /// <summary>Attempt numbers seen by the failing job.</summary>
    public ConcurrentQueue<int> FailedAttempts { get; } = new();

    /// <summary>When set, the first run of a job stops mid-way (after starting, before its effect) until released.</summary>
    public bool HoldFirstRun { get; init; }

    public TaskCompletionSource FirstRunStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource ReleaseFirstRun { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task WaitForEffectAsync(string jobId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!Effects.ContainsKey(jobId))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Job {jobId} never took effect.");
            await Task.Delay(50);
        }
    }
}

public sealed record RecordJob(string Value) : IJob
{
    public static string JobType => "test-record";
}

internal sealed class RecordJobHandler(JobLedger ledger) : IJobHandler<RecordJob>
{
    public async Task HandleAsync(RecordJob job, JobContext context, CancellationToken cancellationToken)
    {
        var run = ledger.Runs.AddOrUpdate(context.JobId, 1, (_, n) => n + 1);
        if (run == 1 && ledger.HoldFirstRun)
        {
            ledger.FirstRunStarted.TrySetResult();
            await ledger.ReleaseFirstRun.Task;
        }
        // Idempotent by the job id: a second delivery finds the effect already there.
        ledger.Effects.TryAdd(context.JobId, job.Value);
    }
}

public sealed record AlwaysFailingJob(string Value) : IJob
{
    public static string JobType => "test-always-failing";
}

internal sealed class AlwaysFailingJobHandler(JobLedger ledger) : IJobHandler<AlwaysFailingJob>
{
    public Task HandleAsync(AlwaysFailingJob job, JobContext context, CancellationToken cancellationToken)
    {
        ledger.FailedAttempts.Enqueue(context.Attempt);
        throw new InvalidOperationException($"'{job.Value}' cannot be done");
    }
}

public static class JobHosts
{
    /// <summary>A host with just the job queue and the test handlers, configured like the server would be.</summary>
    public static IHost Build(JobLedger ledger, Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddJobs();
        builder.Services.AddSingleton(ledger);
        builder.Services.AddJobHandler<RecordJob, RecordJobHandler>();
        builder.Services.AddJobHandler<AlwaysFailingJob, AlwaysFailingJobHandler>();
        return builder.Build();
    }
}
