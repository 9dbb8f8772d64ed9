namespace KamaChat.Server.Infrastructure.Jobs;

/// <summary>
/// A unit of background work, serialized as JSON. A job may be delivered more than once (a worker can die
/// after doing the work but before acknowledging it), so its handler must be idempotent.
/// </summary>
public interface IJob
{
    /// <summary>The stable name the job travels under; never reuse one for a different shape.</summary>
    static abstract string JobType { get; }
}

/// <summary>Does one kind of job. Resolved in its own DI scope per delivery.</summary>
public interface IJobHandler<in TJob>
    where TJob : IJob
{
    Task HandleAsync(TJob job, JobContext context, CancellationToken cancellationToken);
}

/// <summary>Identifies one enqueued job across its deliveries: the id stays the same on every retry and redelivery.</summary>
public sealed record JobContext(string JobId, int Attempt);

/// <summary>Puts jobs on the queue. In-process by default, RabbitMQ when HOST_RABBITMQ is set.</summary>
public interface IJobQueue
{
    /// <returns>The job's id (the same id its handler sees in <see cref="JobContext"/>).</returns>
    Task<string> EnqueueAsync<TJob>(TJob job, CancellationToken cancellationToken = default)
        where TJob : class, IJob;
}

/// <summary>
/// The queue could not take the job (the broker is down or refused it). Nothing was enqueued: a request that
/// must enqueue answers 503; one for which the job is a side effect (an alert email) logs it and goes on.
/// </summary>
public sealed class JobQueueUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>Thrown by a handler (or the dispatcher) when retrying cannot help: the job goes straight to the dead letters.</summary>
public sealed class PermanentJobFailureException(string message, Exception? inner = null) : Exception(message, inner);
