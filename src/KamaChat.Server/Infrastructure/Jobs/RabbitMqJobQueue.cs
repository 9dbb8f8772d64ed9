using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace KamaChat.Server.Infrastructure.Jobs;

/// <summary>
/// Publishes jobs to RabbitMQ as persistent messages on a durable queue, with publisher confirms:
/// <see cref="EnqueueAsync{TJob}"/> returns only once the broker has taken responsibility for the job.
/// </summary>
public sealed class RabbitMqJobQueue(IOptions<JobOptions> options, JobMetrics metrics, ILogger<RabbitMqJobQueue> logger) : IJobQueue, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;
    private IChannel? _channel;

    public async Task<string> EnqueueAsync<TJob>(TJob job, CancellationToken cancellationToken = default)
        where TJob : class, IJob
    {
        var id = Guid.NewGuid().ToString("N");
        var body = JobDispatcher.Serialize(job);
        // One publishing channel, used by one caller at a time: AMQP channels are not meant for concurrent publishers.
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var channel = await ChannelAsync(cancellationToken);
            await channel.BasicPublishAsync("", options.Value.QueueName, mandatory: true,
                RabbitMqTopology.Properties(id, TJob.JobType, attempt: 1), body, cancellationToken);
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.RabbitMQClientException or IOException)
        {
            // Not confirmed means not enqueued, whatever the cause (unreachable, nack, unroutable).
            throw new JobQueueUnavailableException($"RabbitMQ did not accept job {TJob.JobType}.", e);
        }
        finally
        {
            _gate.Release();
        }
        metrics.Enqueued(TJob.JobType);
        return id;
    }

    /// <summary>Whether the broker answers; used by the readiness check.</summary>
    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var channel = await ChannelAsync(cancellationToken);
            await channel.QueueDeclarePassiveAsync(options.Value.QueueName, cancellationToken);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true })
            return _channel;
        if (_channel is not null)
            await DisposeChannelAsync();
        _connection ??= await RabbitMqTopology.ConnectionFactory(options.Value, "kamachat-publisher").CreateConnectionAsync(cancellationToken);
        _channel = await RabbitMqTopology.CreateConfirmedChannelAsync(_connection, 1, cancellationToken);
        await RabbitMqTopology.DeclareAsync(_channel, options.Value, cancellationToken);
        logger.LogInformation("Publishing jobs to RabbitMQ at {Host}:{Port}, queue {Queue}",
            options.Value.RabbitMqHost, options.Value.RabbitMqPort, options.Value.QueueName);
        return _channel;
    }

    private async Task DisposeChannelAsync()
    {
        try
        {
            if (_channel is not null)
                await _channel.DisposeAsync();
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.RabbitMQClientException or ObjectDisposedException)
        {
            // The channel is already gone.
        }
        _channel = null;
    }

    public async ValueTask DisposeAsync()
    {
        await DisposeChannelAsync();
        if (_connection is not null)
            await _connection.DisposeAsync();
        _gate.Dispose();
    }
}
