using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KamaChat.Server.Infrastructure.Jobs;

/// <summary>Readiness: the node can publish jobs only while the broker answers.</summary>
internal sealed class RabbitMqHealthCheck(RabbitMqJobQueue queue) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            return await queue.IsReachableAsync(timeout.Token)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("RabbitMQ did not answer.");
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.RabbitMQClientException or OperationCanceledException or IOException)
        {
            return HealthCheckResult.Unhealthy("RabbitMQ is not reachable.", e);
        }
    }
}
