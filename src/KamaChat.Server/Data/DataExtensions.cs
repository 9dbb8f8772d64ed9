using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Data;

public static class DataExtensions
{
    public static IHostApplicationBuilder AddData(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<StorageHealth>();
        services.AddSingleton<StartupDatabaseWait>();
        services.AddSingleton<WriteObserver>();
        services.AddSingleton<DatabaseMetrics>();
        services.AddSingleton<SerialQueries>();
        services.AddSingleton<PreparedStatements>();
        services.AddSingleton(sp => new QueryBatch(prepare: sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.PrepareStatements));
        services.AddSingleton(sp => new SqlitePragmas(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.SqliteBusyTimeoutMilliseconds));
        // Pooled: the options are built once and a context's internal services are kept between requests. Built per
        // request (AddDbContext), the options and the context's set-up were 14 % of what a history page allocated
        // (438 → 375 KiB) and ~9 % of its CPU.
        services.AddSingleton(sp => new SqlitePreparedStatements(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString, sp.GetRequiredService<SqlitePragmas>()));
        services.AddDbContextPool<SqliteKamaDbContext>((sp, options) =>
        {
            var database = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            options.UseSqlite(database.ConnectionString, OneCollectionParameter)
                .AddInterceptors(sp.GetRequiredService<SqlitePragmas>(), sp.GetRequiredService<WriteObserver>(), sp.GetRequiredService<DatabaseMetrics>());
            if (database.PrepareStatements && SqlitePreparedStatements.CanShare(database.ConnectionString))
                options.AddInterceptors(sp.GetRequiredService<SqlitePreparedStatements>());
        });
        services.AddDbContextPool<PostgresKamaDbContext>((sp, options) =>
        {
            var database = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            options.UseNpgsql(database.ConnectionString, OneCollectionParameter)
                .AddInterceptors(sp.GetRequiredService<WriteObserver>(), sp.GetRequiredService<DatabaseMetrics>(), sp.GetRequiredService<SerialQueries>(),
                    sp.GetRequiredService<QueryBatch>());
            // After the batch: it prepares the batch's commands as a batch, not each command it answers itself.
            if (database.PrepareStatements)
                options.AddInterceptors(sp.GetRequiredService<PreparedStatements>());
        });

        // Everything asks for KamaDbContext; the configured provider decides which subclass that is.
        services.AddScoped<KamaDbContext>(sp =>
            sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider == DatabaseProvider.Postgres
                ? sp.GetRequiredService<PostgresKamaDbContext>()
                : sp.GetRequiredService<SqliteKamaDbContext>());

        // Keys in the database: they survive restarts and every node reads the same ring, so an email link
        // or a 2FA ticket issued by one node is accepted by another.
        services.AddDataProtection().SetApplicationName("KamaChat").PersistKeysToDbContext<KamaDbContext>();

        services.AddHostedService<DatabaseMigrator>();
        services.AddHostedService<SqliteCheckpoints>();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// A list in a query (<c>ids.Contains(m.Id)</c>) goes to the database as one array parameter (PostgreSQL
    /// <c>= ANY(@ids)</c>, SQLite <c>json_each(@ids)</c>), not EF Core 10's default of one parameter per element. With
    /// one parameter per element the SQL depends on the list's length, so EF Core rebuilt it on every execution: 40 % of
    /// what a history page allocated (375 → 222 KiB), and every page, connect and fan-out reads lists. One parameter
    /// also has no ceiling on the list's length (SQLite allows 32,766 parameters a statement, PostgreSQL 65,535).
    /// </summary>
    private static void OneCollectionParameter<TBuilder, TExtension>(RelationalDbContextOptionsBuilder<TBuilder, TExtension> options)
        where TBuilder : RelationalDbContextOptionsBuilder<TBuilder, TExtension>
        where TExtension : RelationalOptionsExtension, new() =>
        options.UseParameterizedCollectionMode(ParameterTranslationMode.Parameter);
}

/// <summary>Applies pending migrations before the server accepts requests, waiting for a lock someone else holds.</summary>
internal sealed class DatabaseMigrator(
    IServiceProvider services,
    IOptions<ServerOptions> server,
    IOptions<DatabaseOptions> database,
    StartupDatabaseWait wait,
    ILogger<DatabaseMigrator> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        if (database.Value.Provider == DatabaseProvider.Sqlite)
            Directory.CreateDirectory(server.Value.DataDirectory);
        if (!server.Value.MigrateOnStart)
            return;
        try
        {
            await wait.RunAsync("Applying migrations", MigrateAsync, cancellationToken);
        }
        finally
        {
            wait.Release();
        }
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        await wait.BoundLockWaitsAsync(db, cancellationToken);
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            logger.LogInformation("Applying {Count} migration(s) to {Provider}", pending.Count, database.Value.Provider);
            await db.Database.MigrateAsync(cancellationToken);
        }
        if (database.Value.Provider == DatabaseProvider.Sqlite)
            // WAL lets readers proceed while a write is in progress: many clients, one file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        else
            await WarnIfTextDoesNotFoldAsync(db, cancellationToken);
    }

    // At every start, in the log an operator reads; doctor says the same, with how to move the data.
    private async Task WarnIfTextDoesNotFoldAsync(KamaDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var finding = await Features.Search.PostgresTextFolding.ProbeAsync(db.Database.GetDbConnection(), cancellationToken);
            if (!finding.Folds)
                logger.LogWarning("Search: {Problem}. Run ./kamachat doctor for how to move the data into a database that folds them.", finding.Problem);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Closes this node's idle pooled connections once everything that used them has stopped. PostgreSQL holds a server
    /// process for each until Npgsql prunes it (5 minutes idle), so a node restarted within that time, or a test run
    /// starting host after host, counted its predecessors' against <c>max_connections</c> (CI: "too many clients").
    /// </summary>
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        StorageFailure.ClearPool(database.Value);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Per-connection SQLite settings. In WAL mode, synchronous=NORMAL syncs at checkpoints instead of every commit:
/// the database cannot be corrupted, and only a power cut (not a crash) can lose the last commits. SQLite's
/// documentation recommends it for WAL; FULL costs an fsync per message. No automatic checkpoint in a commit:
/// <see cref="SqliteCheckpoints"/> does them in the background.
/// </summary>
/// <remarks>
/// EF Core opens a connection for each query, from Microsoft.Data.Sqlite's pool: the same SQLite connection (its
/// handle) comes back again and again, and keeps its settings. So they are set once per handle, not at every open,
/// which was one more statement prepared and run for every query.
/// </remarks>
internal sealed class SqlitePragmas(int busyTimeoutMilliseconds) : DbConnectionInterceptor
{
    private readonly string _pragmas = string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0; PRAGMA busy_timeout={busyTimeoutMilliseconds};");

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> _applied = [];

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    /// <summary>Sets them on <paramref name="connection"/>'s handle, unless they already are.</summary>
    internal void Apply(System.Data.Common.DbConnection connection)
    {
        if (connection is Microsoft.Data.Sqlite.SqliteConnection { Handle: { } handle } && !_applied.TryAdd(handle, handle))
            return;
        using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
        command.ExecuteNonQuery();
    }
}

/// <summary>A saved change proves the database takes writes again: readiness need not wait for its next probe.</summary>
internal sealed class WriteObserver(StorageHealth health) : SaveChangesInterceptor
{
    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        health.Succeeded();
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        health.Succeeded();
        return result;
    }
}

/// <summary>Lets `dotnet ef migrations add` build each provider's model without a running database.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteKamaDbContext>
{
    public SqliteKamaDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteKamaDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresKamaDbContext>
{
    public PostgresKamaDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresKamaDbContext>().UseNpgsql("Host=localhost;Database=kamachat_design").Options);
}
