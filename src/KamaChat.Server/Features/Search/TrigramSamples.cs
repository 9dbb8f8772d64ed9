using KamaChat.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Search;

/// <summary>
/// The node's trigram samples, one cache per database kind (<see cref="TrigramSampleCache{TSample}"/>); a node uses the
/// one of its database, and the other never loads. One per node, so a sample is loaded once for all its searches.
/// </summary>
public sealed class TrigramSamples
{
    /// <summary>Loads through a scope (and pooled context) of its own; stops loading when the node stops.</summary>
    public TrigramSamples(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<TrigramSamples> logger)
        : this(
            new TrigramSampleCache<PostgresTrigramSample>(cancellationToken => LoadInScopeAsync(scopes, PostgresTrigramSample.LoadAsync, cancellationToken), time, logger, lifetime.ApplicationStopping),
            new TrigramSampleCache<SqliteTrigramSample>(cancellationToken => LoadInScopeAsync(scopes, SqliteTrigramSample.LoadAsync, cancellationToken), time, logger, lifetime.ApplicationStopping))
    {
    }

    internal TrigramSamples(TrigramSampleCache<PostgresTrigramSample> postgres, TrigramSampleCache<SqliteTrigramSample> sqlite) =>
        (Postgres, Sqlite) = (postgres, sqlite);

    internal TrigramSampleCache<PostgresTrigramSample> Postgres { get; }

    internal TrigramSampleCache<SqliteTrigramSample> Sqlite { get; }

    /// <summary>
    /// Samples for a tool without a host (the bench): each load through a context <paramref name="newContext"/> makes,
    /// disposed after.
    /// </summary>
    public static TrigramSamples Over(Func<KamaDbContext> newContext, ILogger logger) => new(
        new TrigramSampleCache<PostgresTrigramSample>(cancellationToken => LoadOverAsync(newContext, PostgresTrigramSample.LoadAsync, cancellationToken), TimeProvider.System, logger, CancellationToken.None),
        new TrigramSampleCache<SqliteTrigramSample>(cancellationToken => LoadOverAsync(newContext, SqliteTrigramSample.LoadAsync, cancellationToken), TimeProvider.System, logger, CancellationToken.None));

    private static async Task<TSample> LoadInScopeAsync<TSample>(IServiceScopeFactory scopes, Func<KamaDbContext, CancellationToken, Task<TSample>> load, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        try
        {
            return await load(db, cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<TSample> LoadOverAsync<TSample>(Func<KamaDbContext> newContext, Func<KamaDbContext, CancellationToken, Task<TSample>> load, CancellationToken cancellationToken)
    {
        await using var db = newContext();
        return await load(db, cancellationToken);
    }
}
