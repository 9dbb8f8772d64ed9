using System.Data.Common;
using KamaChat.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace KamaChat.Server.Infrastructure.Jobs;

/// <summary>
/// A record that a job's effect has happened, for handlers whose effect cannot be made idempotent by itself
/// (sending an email): they check it before acting and write it after.
/// </summary>
public sealed class JobReceipt
{
    public const int IdMaxLength = 64;

    public string JobId { get; set; } = "";

    public string JobType { get; set; } = "";

    public DateTimeOffset CompletedAt { get; set; }
}

internal sealed class JobReceiptConfiguration : IEntityTypeConfiguration<JobReceipt>
{
    public void Configure(EntityTypeBuilder<JobReceipt> receipt)
    {
        receipt.ToTable("job_receipts");
        receipt.HasKey(r => r.JobId);
        receipt.Property(r => r.JobId).HasMaxLength(JobReceipt.IdMaxLength);
        receipt.Property(r => r.JobType).HasMaxLength(64);
        receipt.HasIndex(r => r.CompletedAt);
    }
}

public static class JobReceipts
{
    public static Task<bool> IsDoneAsync(KamaDbContext db, string jobId, CancellationToken cancellationToken) =>
        db.JobReceipts.AnyAsync(r => r.JobId == jobId, cancellationToken);

    public static async Task MarkDoneAsync(KamaDbContext db, string jobId, string jobType, DateTimeOffset now, CancellationToken cancellationToken)
    {
        db.JobReceipts.Add(new JobReceipt { JobId = jobId, JobType = jobType, CompletedAt = now });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A concurrent delivery of the same job wrote it first: the effect is recorded either way.
            db.ChangeTracker.Clear();
        }
    }
}

/// <summary>
/// Forgets receipts once no redelivery can come for them any more (a week: far longer than the retry schedule),
/// so the table stays small.
/// </summary>
internal sealed class JobReceiptCleaner(IServiceScopeFactory scopes, TimeProvider time, ILogger<JobReceiptCleaner> logger) : BackgroundService
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                // A host without the database (a worker-only test host) has no receipts to clean.
                if (scope.ServiceProvider.GetService<KamaDbContext>() is not { } db)
                    return;
                var cutoff = time.GetUtcNow() - Retention;
                var removed = await db.JobReceipts.Where(r => r.CompletedAt < cutoff).ExecuteDeleteAsync(stoppingToken);
                if (removed > 0)
                    logger.LogInformation("Removed {Count} job receipts older than {Cutoff}", removed, cutoff);
            }
            catch (DbException e)
            {
                logger.LogWarning(e, "Could not clean up job receipts; trying again in an hour");
            }
        }
    }
}
