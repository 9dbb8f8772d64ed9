using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Jobs;

/// <summary>A job as it waits in the in-process queue: already serialized, so both queues run the same code path.</summary>
internal sealed record InProcessJobMessage(string Id, string Type, byte[] Body, int Attempt);

/// <summary>
/// The embedded default: a channel in this process. Jobs still waiting when the process stops are lost,
/// which is why multi-node and production setups use RabbitMQ.
/// </summary>
public sealed class InProcessJobQueue : IJobQueue
{
    private readonly Channel<InProcessJobMessage> _channel = Channel.CreateUnbounded<InProcessJobMessage>();
    private readonly JobMetrics _metrics;

    public InProcessJobQueue(JobMetrics metrics)
    {
        _metrics = metrics;
        metrics.ObserveDepth(() => _channel.Reader.Count);
    }

    /// <summary>Jobs that failed on every attempt, kept for inspection (the log has each failure).</summary>
    public ConcurrentQueue<(string Id, string Type, string Error)> DeadLetters { get; } = new();

    internal ChannelReader<InProcessJobMessage> Reader => _channel.Reader;

    public async Task<string> EnqueueAsync<TJob>(TJob job, CancellationToken cancellationToken = default)
        where TJob : class, IJob
    {
        var id = Guid.NewGuid().ToString("N");
        await _channel.Writer.WriteAsync(new InProcessJobMessage(id, TJob.JobType, JobDispatcher.Serialize(job), 1), cancellationToken);
        _metrics.Enqueued(TJob.JobType);
        return id;
    }

    internal ValueTask RequeueAsync(InProcessJobMessage message, CancellationToken cancellationToken) =>
        _channel.Writer.WriteAsync(message, cancellationToken);
}

/// <summary>Runs in-process jobs with bounded retries and backoff.</summary>
internal sealed class InProcessJobWorker(
    InProcessJobQueue queue,
    JobDispatcher dispatcher,
    JobMetrics metrics,
    IOptions<JobOptions> options,
    TimeProvider time,
    ILogger<InProcessJobWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.Concurrency).Select(_ => RunLoopAsync(stoppingToken)));

    private async Task RunLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in queue.Reader.ReadAllAsync(stoppingToken))
                await RunAsync(message, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task RunAsync(InProcessJobMessage message, CancellationToken stoppingToken)
    {
        try
        {
            await dispatcher.DispatchAsync(message.Type, message.Body, new JobContext(message.Id, message.Attempt), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            var delays = options.Value.RetryDelays;
            if (e is PermanentJobFailureException || message.Attempt > delays.Count)
            {
                logger.LogError(e, "Job {JobId} ({JobType}) failed on attempt {Attempt}; moved to the dead letters", message.Id, message.Type, message.Attempt);
                queue.DeadLetters.Enqueue((message.Id, message.Type, e.Message));
                metrics.DeadLettered(message.Type);
                return;
            }
            var delay = delays[message.Attempt - 1];
            logger.LogWarning(e, "Job {JobId} ({JobType}) failed on attempt {Attempt}; retrying in {Delay}", message.Id, message.Type, message.Attempt, delay);
            _ = RetryLaterAsync(message with { Attempt = message.Attempt + 1 }, delay, stoppingToken);
        }
    }

    private async Task RetryLaterAsync(InProcessJobMessage message, TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, time, stoppingToken);
            await queue.RequeueAsync(message, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: in-process jobs do not outlive the process.
        }
    }
}
