using KamaChat.Server.Infrastructure.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KamaChat.Tests.Jobs;

public sealed class InProcessJobQueueTests
{
    [Fact]
    public async Task An_enqueued_job_runs_with_its_handler()
    {
        var ledger = new JobLedger();
        using var host = JobHosts.Build(ledger, []);
        await host.StartAsync();
        var queue = host.Services.GetRequiredService<IJobQueue>();
        Assert.IsType<InProcessJobQueue>(queue);

        var id = await queue.EnqueueAsync(new RecordJob("hello"));

        await ledger.WaitForEffectAsync(id);
        Assert.Equal("hello", ledger.Effects[id]);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_failing_job_is_retried_with_backoff_and_then_dead_lettered()
    {
        var ledger = new JobLedger();
        using var host = JobHosts.Build(ledger, new() { ["KAMACHAT_JOB_RETRY_DELAYS"] = "0.05,0.1" });
        await host.StartAsync();
        var queue = (InProcessJobQueue)host.Services.GetRequiredService<IJobQueue>();

        var id = await queue.EnqueueAsync(new AlwaysFailingJob("x"));

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (queue.DeadLetters.IsEmpty && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        var dead = Assert.Single(queue.DeadLetters);
        Assert.Equal(id, dead.Id);
        Assert.Equal([1, 2, 3], ledger.FailedAttempts.ToArray());
        await host.StopAsync();
    }
}
