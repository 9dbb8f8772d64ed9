using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace KamaChat.Server.Infrastructure.Jobs;

/// <summary>
/// Consumes the RabbitMQ job queue. A job is acknowledged only after its handler succeeded (or after it was
/// moved, with a confirmed publish, to a retry or the dead-letter queue), so a worker that dies mid-job
/// loses nothing: the broker redelivers the unacknowledged message to another consumer.
/// </summary>
public sealed class RabbitMqJobWorker(
    JobDispatcher dispatcher,
    JobMetrics metrics,
    IOptions<JobOptions> options,
    ILogger<RabbitMqJobWorker> logger) : BackgroundService
{
    private readonly JobOptions _options = options.Value;
    private IConnection? _connection;
    private IChannel? _channel;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The broker may come up after us (compose, systemd ordering): keep trying instead of failing the node.
        for (var wait = TimeSpan.FromSeconds(1); ; wait = TimeSpan.FromSeconds(Math.Min(wait.TotalSeconds * 2, 30)))
        {
            try
            {
                await StartConsumingAsync(stoppingToken);
                break;
            }
            catch (Exception e) when (e is RabbitMQ.Client.Exceptions.RabbitMQClientException or IOException)
            {
                // Half-made (connected, then the channel failed): start the next try from nothing.
                _channel?.Dispose();
                _connection?.Dispose();
                (_channel, _connection) = (null, null);
                logger.LogWarning(e, "RabbitMQ at {Host}:{Port} is not reachable; retrying in {Wait}", _options.RabbitMqHost, _options.RabbitMqPort, wait);
                await Task.Delay(wait, stoppingToken);
            }
        }
        await Task.Delay(Timeout.Infinite, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    internal async Task StartConsumingAsync(CancellationToken stoppingToken)
    {
        _connection = await RabbitMqTopology.ConnectionFactory(_options, "kamachat-worker").CreateConnectionAsync(stoppingToken);
        var concurrency = (ushort)_options.Concurrency;
        _channel = await RabbitMqTopology.CreateConfirmedChannelAsync(_connection, concurrency, stoppingToken);
        await RabbitMqTopology.DeclareAsync(_channel, _options, stoppingToken);
        // Prefetch bounds how many unacknowledged jobs this node holds: the rest stay available to other workers.
        await _channel.BasicQosAsync(0, concurrency, global: false, stoppingToken);

        var consumer = new AsyncEventingBasicConsumer(_channel);
        consumer.ReceivedAsync += (_, delivery) => HandleDeliveryAsync(delivery, stoppingToken);
        await _channel.BasicConsumeAsync(_options.QueueName, autoAck: false, consumer, stoppingToken);
        logger.LogInformation("Consuming jobs from RabbitMQ queue {Queue}", _options.QueueName);
    }

    private async Task HandleDeliveryAsync(BasicDeliverEventArgs delivery, CancellationToken stoppingToken)
    {
        var channel = _channel!;
        var properties = delivery.BasicProperties;
        var id = properties.MessageId ?? $"delivery-{delivery.DeliveryTag}";
        var type = properties.Type ?? "";
        var attempt = RabbitMqTopology.AttemptOf(properties);
        // The body's memory belongs to the client only for the duration of this callback.
        var body = delivery.Body.ToArray();
        try
        {
            await dispatcher.DispatchAsync(type, body, new JobContext(id, attempt), stoppingToken);
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down mid-job: no ack, so the broker hands the job to another worker.
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.AlreadyClosedException)
        {
            logger.LogWarning("The channel closed while job {JobId} ran; the broker will redeliver it", id);
        }
        catch (Exception e)
        {
            await RetryOrDeadLetterAsync(channel, delivery.DeliveryTag, id, type, attempt, body, e, stoppingToken);
        }
    }

    private async Task RetryOrDeadLetterAsync(IChannel channel, ulong deliveryTag, string id, string type, int attempt, byte[] body,
        Exception failure, CancellationToken stoppingToken)
    {
        var delays = _options.RetryDelays;
        string target;
        var dead = failure is PermanentJobFailureException || attempt > delays.Count;
        if (dead)
        {
            target = RabbitMqTopology.DeadLetterQueue(_options);
            logger.LogError(failure, "Job {JobId} ({JobType}) failed on attempt {Attempt}; moved to {Queue}", id, type, attempt, target);
            metrics.DeadLettered(type);
        }
        else
        {
            target = RabbitMqTopology.RetryQueue(_options, delays[attempt - 1]);
            logger.LogWarning(failure, "Job {JobId} ({JobType}) failed on attempt {Attempt}; retrying in {Delay}", id, type, attempt, delays[attempt - 1]);
        }
        try
        {
            // Publish (confirmed) before acking: a crash in between means a duplicate delivery, never a lost job.
            await channel.BasicPublishAsync("", target, mandatory: true,
                // A retry carries the number of its next attempt; a dead letter the number of its last one.
                RabbitMqTopology.Properties(id, type, dead ? attempt : attempt + 1, $"{failure.GetType().Name}: {failure.Message}"), body, stoppingToken);
            await channel.BasicAckAsync(deliveryTag, multiple: false, stoppingToken);
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.RabbitMQClientException or OperationCanceledException)
        {
            logger.LogWarning(e, "Could not move job {JobId} to {Queue}; the broker will redeliver it", id, target);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            if (_channel is not null)
                await _channel.CloseAsync(cancellationToken);
            if (_connection is not null)
                await _connection.CloseAsync(cancellationToken);
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.RabbitMQClientException or OperationCanceledException)
        {
            // Already closed or aborted.
        }
    }

    public override void Dispose()
    {
        _channel?.Dispose();
        _connection?.Dispose();
        base.Dispose();
    }
}
