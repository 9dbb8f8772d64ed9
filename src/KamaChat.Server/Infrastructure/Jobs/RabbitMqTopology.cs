using System.Globalization;
using RabbitMQ.Client;

namespace KamaChat.Server.Infrastructure.Jobs;

/// <summary>
/// The queues behind the RabbitMQ job queue, all durable:
/// <c>{name}</c> holds jobs to run; <c>{name}.retry.{ms}ms</c> holds a failed job for one backoff delay
/// (queue TTL) and then dead-letters it back to <c>{name}</c>; <c>{name}.dead</c> keeps jobs that failed every attempt.
/// One retry queue per delay, because RabbitMQ expires messages only at a queue's head: per-message TTLs
/// of different lengths in one queue would wait behind each other.
/// </summary>
internal static class RabbitMqTopology
{
    public const string AttemptHeader = "x-kamachat-attempt";
    public const string ErrorHeader = "x-kamachat-error";

    public static string RetryQueue(JobOptions options, TimeSpan delay) =>
        $"{options.QueueName}.retry.{((long)delay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}ms";

    public static string DeadLetterQueue(JobOptions options) => $"{options.QueueName}.dead";

    public static ConnectionFactory ConnectionFactory(JobOptions options, string clientName) => new()
    {
        HostName = options.RabbitMqHost!,
        Port = options.RabbitMqPort,
        UserName = options.RabbitMqUser,
        Password = options.RabbitMqPassword,
        ClientProvidedName = clientName,
        AutomaticRecoveryEnabled = true,
        TopologyRecoveryEnabled = true,
        RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>Declares every queue; idempotent, so publishers and workers both call it.</summary>
    public static async Task DeclareAsync(IChannel channel, JobOptions options, CancellationToken cancellationToken)
    {
        await channel.QueueDeclareAsync(options.QueueName, durable: true, exclusive: false, autoDelete: false,
            arguments: null, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(DeadLetterQueue(options), durable: true, exclusive: false, autoDelete: false,
            arguments: null, cancellationToken: cancellationToken);
        foreach (var delay in options.RetryDelays.Distinct())
            await channel.QueueDeclareAsync(RetryQueue(options, delay), durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?>
                {
                    ["x-message-ttl"] = (long)delay.TotalMilliseconds,
                    ["x-dead-letter-exchange"] = "",
                    ["x-dead-letter-routing-key"] = options.QueueName,
                },
                cancellationToken: cancellationToken);
    }

    public static BasicProperties Properties(string id, string type, int attempt, string? error = null)
    {
        var headers = new Dictionary<string, object?> { [AttemptHeader] = attempt };
        if (error is not null)
            headers[ErrorHeader] = error.Length > 1000 ? error[..1000] : error;
        return new BasicProperties
        {
            MessageId = id,
            Type = type,
            ContentType = "application/json",
            DeliveryMode = DeliveryModes.Persistent,
            Headers = headers,
        };
    }

    public static int AttemptOf(IReadOnlyBasicProperties properties) =>
        properties.Headers?.TryGetValue(AttemptHeader, out var value) == true
            ? value switch { int i => i, long l => (int)l, byte b => b, short s => s, _ => 1 }
            : 1;

    /// <summary>A channel whose publishes complete only when the broker confirmed them (and throw when it refused).</summary>
    public static Task<IChannel> CreateConfirmedChannelAsync(IConnection connection, ushort dispatchConcurrency, CancellationToken cancellationToken) =>
        connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true,
                consumerDispatchConcurrency: dispatchConcurrency),
            cancellationToken);
}
