using System.Text;
using KamaChat.Server.Infrastructure.Jobs;
using KamaChat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace KamaChat.Tests.Jobs;

/// <summary>The RabbitMQ job queue against a real, throwaway broker; each test has queues of its own.</summary>
[Trait("Service", "rabbitmq")]
[Collection(RunAlone.Name)]
public sealed class RabbitMqJobQueueTests
{
    private static async Task<Dictionary<string, string?>> SettingsAsync(string queue)
    {
        var (host, port) = await RabbitMqServer.EndpointAsync();
        return new()
        {
            ["HOST_RABBITMQ"] = host,
            ["PORT_RABBITMQ"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["USER_RABBITMQ"] = "guest",
            ["PASSWORD_RABBITMQ"] = "guest",
            ["KAMACHAT_JOB_QUEUE"] = queue,
            ["KAMACHAT_JOB_RETRY_DELAYS"] = "0.2,0.4",
        };
    }

    private static string UniqueQueue() => "kamachat.test." + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task A_job_is_published_durably_and_run_by_the_worker()
    {
        var ledger = new JobLedger();
        var queueName = UniqueQueue();
        using var host = JobHosts.Build(ledger, await SettingsAsync(queueName));
        await host.StartAsync();
        var queue = host.Services.GetRequiredService<IJobQueue>();
        Assert.IsType<RabbitMqJobQueue>(queue);

        var id = await queue.EnqueueAsync(new RecordJob("over the wire"));

        await ledger.WaitForEffectAsync(id);
        Assert.Equal("over the wire", ledger.Effects[id]);
        await using var connection = await RabbitMqServer.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var declared = await channel.QueueDeclarePassiveAsync(queueName);
        Assert.Equal(0u, declared.MessageCount);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_job_survives_a_worker_killed_before_ack_and_takes_effect_exactly_once()
    {
        var ledger = new JobLedger { HoldFirstRun = true };
        var queueName = UniqueQueue();
        var settings = await SettingsAsync(queueName);
        using var host = JobHosts.Build(ledger, settings);
        // The doomed worker reaches the broker through a proxy, so its connection can die like a crashed process's.
        await using var proxy = new TcpProxy(int.Parse(settings["PORT_RABBITMQ"]!, System.Globalization.CultureInfo.InvariantCulture));
        using var doomedHost = JobHosts.Build(ledger, new(settings) { ["PORT_RABBITMQ"] = proxy.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        using var stop = new CancellationTokenSource();

        var doomed = ActivatorUtilities.CreateInstance<RabbitMqJobWorker>(doomedHost.Services);
        await doomed.StartConsumingAsync(stop.Token);
        var id = await host.Services.GetRequiredService<IJobQueue>().EnqueueAsync(new RecordJob("once"));
        await ledger.FirstRunStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // The worker "dies" mid-job: its connection drops with the job unacknowledged.
        await proxy.CutAsync();
        Assert.Empty(ledger.Effects);

        var survivor = ActivatorUtilities.CreateInstance<RabbitMqJobWorker>(host.Services);
        await survivor.StartConsumingAsync(stop.Token);
        await ledger.WaitForEffectAsync(id);

        // The dead worker's handler wakes up and finishes too (its ack goes nowhere); the effect still happens once.
        ledger.ReleaseFirstRun.SetResult();
        await Task.Delay(300);
        Assert.Equal(2, ledger.Runs[id]);
        Assert.Equal("once", Assert.Single(ledger.Effects).Value);
        await using var connection = await RabbitMqServer.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        Assert.Equal(0u, (await channel.QueueDeclarePassiveAsync(queueName)).MessageCount);

        await stop.CancelAsync();
        await survivor.StopAsync(CancellationToken.None);
        survivor.Dispose();
        doomed.Dispose();
    }

    [Fact]
    public async Task A_failing_job_is_retried_with_backoff_then_lands_in_the_dead_letter_queue()
    {
        var ledger = new JobLedger();
        var queueName = UniqueQueue();
        using var host = JobHosts.Build(ledger, await SettingsAsync(queueName));
        await host.StartAsync();

        var id = await host.Services.GetRequiredService<IJobQueue>().EnqueueAsync(new AlwaysFailingJob("doomed"));

        await using var connection = await RabbitMqServer.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        BasicGetResult? dead = null;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (dead is null && DateTime.UtcNow < deadline)
        {
            dead = await channel.BasicGetAsync(queueName + ".dead", autoAck: true);
            if (dead is null)
                await Task.Delay(100);
        }

        Assert.NotNull(dead);
        Assert.Equal(id, dead.BasicProperties.MessageId);
        Assert.Equal(AlwaysFailingJob.JobType, dead.BasicProperties.Type);
        Assert.Equal(DeliveryModes.Persistent, dead.BasicProperties.DeliveryMode);
        Assert.Equal(3, Convert.ToInt32(dead.BasicProperties.Headers!["x-kamachat-attempt"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("cannot be done", Encoding.UTF8.GetString((byte[])dead.BasicProperties.Headers["x-kamachat-error"]!), StringComparison.Ordinal);
        Assert.Contains("doomed", Encoding.UTF8.GetString(dead.Body.Span), StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], ledger.FailedAttempts.ToArray());
        Assert.Equal(0u, (await channel.QueueDeclarePassiveAsync(queueName)).MessageCount);
        await host.StopAsync();
    }
}
