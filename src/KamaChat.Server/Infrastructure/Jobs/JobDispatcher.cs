using System.Diagnostics;
using System.Text.Json;

namespace KamaChat.Server.Infrastructure.Jobs;

/// <summary>One registered job type: how to turn its JSON back into a job and run its handler.</summary>
internal sealed record JobRegistration(string JobType, Type JobClrType, Func<IServiceProvider, ReadOnlyMemory<byte>, JobContext, CancellationToken, Task> Run);

/// <summary>Runs a serialized job with its handler; shared by both queue implementations.</summary>
public sealed class JobDispatcher
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IServiceScopeFactory _scopes;
    private readonly JobMetrics _metrics;
    private readonly Dictionary<string, JobRegistration> _registrations;

    internal JobDispatcher(IServiceScopeFactory scopes, JobMetrics metrics, IEnumerable<JobRegistration> registrations)
    {
        _scopes = scopes;
        _metrics = metrics;
        _registrations = registrations.ToDictionary(r => r.JobType, StringComparer.Ordinal);
    }

    public static byte[] Serialize<TJob>(TJob job)
        where TJob : IJob => JsonSerializer.SerializeToUtf8Bytes(job, Json);

    public async Task DispatchAsync(string jobType, ReadOnlyMemory<byte> body, JobContext context, CancellationToken cancellationToken)
    {
        if (!_registrations.TryGetValue(jobType, out var registration))
            throw new PermanentJobFailureException($"No handler is registered for job type '{jobType}'.");
        using var activity = JobMetrics.Activities.StartActivity($"job {jobType}", ActivityKind.Consumer);
        activity?.SetTag("job.type", jobType).SetTag("job.id", context.JobId).SetTag("job.attempt", context.Attempt);
        var started = Stopwatch.GetTimestamp();
        var succeeded = false;
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            await registration.Run(scope.ServiceProvider, body, context, cancellationToken);
            succeeded = true;
        }
        finally
        {
            _metrics.Ran(jobType, Stopwatch.GetElapsedTime(started), succeeded);
            activity?.SetStatus(succeeded ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
        }
    }

    internal static JobRegistration Register<TJob, THandler>()
        where TJob : class, IJob
        where THandler : IJobHandler<TJob> =>
        new(TJob.JobType, typeof(TJob), async (services, body, context, cancellationToken) =>
        {
            TJob job;
            try
            {
                job = JsonSerializer.Deserialize<TJob>(body.Span, Json)
                      ?? throw new PermanentJobFailureException($"Job {context.JobId} ({TJob.JobType}) has an empty body.");
            }
            catch (JsonException e)
            {
                throw new PermanentJobFailureException($"Job {context.JobId} ({TJob.JobType}) is not valid JSON for its type.", e);
            }
            await services.GetRequiredService<IJobHandler<TJob>>().HandleAsync(job, context, cancellationToken);
        });
}
