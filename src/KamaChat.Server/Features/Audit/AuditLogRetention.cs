using System.Data.Common;
using KamaChat.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Audit;

/// <summary>Removes audit log entries older than <see cref="Retention"/> (Discord keeps 90 days too).</summary>
public sealed class AuditLogRetention(KamaDbContext db, TimeProvider time)
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(90);

    public Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - Retention;
        return db.AuditLog.Where(e => e.CreatedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}

/// <summary>Runs <see cref="AuditLogRetention"/> every hour.</summary>
internal sealed class AuditLogSweeper(IServiceScopeFactory scopes, TimeProvider time, ILogger<AuditLogSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                // A host without the database (a worker-only test host) has no audit log.
                if (scope.ServiceProvider.GetService<KamaDbContext>() is null)
                    return;
                var removed = await scope.ServiceProvider.GetRequiredService<AuditLogRetention>().SweepAsync(stoppingToken);
                if (removed > 0)
                    logger.LogInformation("Removed {Count} audit log entries older than {Days} days", removed, AuditLogRetention.Retention.TotalDays);
            }
            catch (DbException e)
            {
                logger.LogWarning(e, "Could not sweep the audit log; trying again in an hour");
            }
        }
    }
}
