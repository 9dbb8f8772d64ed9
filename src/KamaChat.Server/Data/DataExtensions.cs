using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Data;

public static class DataExtensions
{
    public static IHostApplicationBuilder AddData(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddDbContext<SqliteKamaDbContext>((sp, options) =>
            options.UseSqlite(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString)
                .AddInterceptors(SqlitePragmas.Instance));
        services.AddDbContext<PostgresKamaDbContext>((sp, options) =>
            options.UseNpgsql(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString));

        // Everything asks for KamaDbContext; the configured provider decides which subclass that is.
        services.AddScoped<KamaDbContext>(sp =>
            sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider == DatabaseProvider.Postgres
                ? sp.GetRequiredService<PostgresKamaDbContext>()
                : sp.GetRequiredService<SqliteKamaDbContext>());

        // Keys in the database: they survive restarts and every node reads the same ring, so an email link
        // or a 2FA ticket issued by one node is accepted by another.
        services.AddDataProtection().SetApplicationName("KamaChat").PersistKeysToDbContext<KamaDbContext>();

        services.AddHostedService<DatabaseMigrator>();
        services.AddHealthChecks().AddDbContextCheck<KamaDbContext>("database", tags: ["ready"]);
        return builder;
    }
}

/// <summary>Applies pending migrations before the server accepts requests.</summary>
internal sealed class DatabaseMigrator(
    IServiceProvider services,
    IOptions<ServerOptions> server,
    IOptions<DatabaseOptions> database,
    ILogger<DatabaseMigrator> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        if (database.Value.Provider == DatabaseProvider.Sqlite)
            Directory.CreateDirectory(server.Value.DataDirectory);
        if (!server.Value.MigrateOnStart)
            return;

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            logger.LogInformation("Applying {Count} migration(s) to {Provider}", pending.Count, database.Value.Provider);
            await db.Database.MigrateAsync(cancellationToken);
        }
        if (database.Value.Provider == DatabaseProvider.Sqlite)
            // WAL lets readers proceed while a write is in progress: many clients, one file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Per-connection SQLite settings. In WAL mode, synchronous=NORMAL syncs at checkpoints instead of every commit:
/// the database cannot be corrupted, and only a power cut (not a crash) can lose the last commits. SQLite's
/// documentation recommends it for WAL; FULL costs an fsync per message.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(System.Data.Common.DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;";
        command.ExecuteNonQuery();
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
