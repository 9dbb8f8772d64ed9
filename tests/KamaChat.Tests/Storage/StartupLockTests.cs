using System.Net;
using KamaChat.Server.Data;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KamaChat.Tests.Storage;

/// <summary>
/// A node starting while another connection holds the database's lock (a second node migrating, a backup) waits for it,
/// saying so, and starts once the lock is free, instead of stopping at the first busy timeout.
/// </summary>
public sealed class StartupLockTests
{
    [Fact]
    public async Task A_node_waits_for_a_sqlite_write_lock_another_connection_holds_and_starts_when_it_is_released()
    {
        await using var app = new LockWaitingApp(postgresUrl: null);
        await using var holder = new SqliteConnection($"Data Source={Path.Combine(app.DataDirectory, "kamachat.db")}");
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        // BEGIN IMMEDIATE: the write lock, as a backup or a second node's migration holds it.
        await using (var write = holder.CreateCommand())
        {
            write.CommandText = "CREATE TABLE held (x INTEGER)";
            await write.ExecuteNonQueryAsync();
        }

        await app.AssertWaitsThenStartsAsync(release: () => transaction.RollbackAsync());

        Assert.Empty(await app.QueryAsync(db => db.Database.GetPendingMigrationsAsync()));
    }

    [Fact]
    public async Task A_node_waits_for_the_postgres_migration_lock_another_connection_holds_and_starts_when_it_is_released()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var app = new LockWaitingApp(database);
        await using var holder = new NpgsqlConnection(database);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        // What EF Core's migrator takes on PostgreSQL while another node migrates.
        await using (var command = new NpgsqlCommand("""LOCK TABLE "__EFMigrationsHistory" IN ACCESS EXCLUSIVE MODE""", holder, transaction))
            await command.ExecuteNonQueryAsync();

        await app.AssertWaitsThenStartsAsync(release: () => transaction.CommitAsync());
    }

    [Theory]
    [InlineData(5, "database is locked")]
    [InlineData(6, "database table is locked")]
    public void A_sqlite_lock_met_outside_the_wait_is_described_as_a_lock_not_as_a_file_that_cannot_be_written(int code, string message)
    {
        // A BUSY or LOCKED that reaches start-up's last word by another path than the wait (a hosted service's first
        // write, say), wrapped as EF Core wraps it.
        var data = Path.GetFullPath("data");
        var locked = new SqliteException($"SQLite Error {code}: '{message}'.", code);

        var reason = KamaChat.Server.Infrastructure.Storage.StorageFailure.DescribeStartupFailure(
            new DbUpdateException("An error occurred while saving the entity changes.", locked),
            new KamaChat.Server.Infrastructure.Configuration.ServerOptions { DataDirectory = data }, new KamaChat.Server.Infrastructure.Configuration.DatabaseOptions());

        Assert.NotNull(reason);
        Assert.StartsWith($"the SQLite database in {data} is locked by another process or connection ({locked.Message})", reason, StringComparison.Ordinal);
        Assert.Contains("KAMACHAT_SQLITE_BUSY_TIMEOUT_MS", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot be opened for writing", reason, StringComparison.Ordinal);
    }

    /// <summary>A node with a short busy timeout that records when start-up says it waits for a lock.</summary>
    private sealed class LockWaitingApp(string? postgresUrl, int waitSeconds = 600) : KamaChatApp, ILoggerProvider
    {
        private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override string ProviderName => postgresUrl is null ? "sqlite" : "postgres";

        protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings =>
        [
            new("KAMACHAT_SQLITE_BUSY_TIMEOUT_MS", "100"),
            new("KAMACHAT_DB_STARTUP_WAIT_SECONDS", waitSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ];

        protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(postgresUrl ?? SqliteUrl(dataDirectory));

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<ILoggerProvider>(this));
        }

        /// <summary>Starts the node; once it says it waits for the lock, releases the lock; then the node must serve.</summary>
        public async Task AssertWaitsThenStartsAsync(Func<Task> release)
        {
            var start = Task.Run(InitializeAsync);
            // A start that ends first failed on the lock instead of waiting for it: its exception says how.
            await await Task.WhenAny(_waiting.Task, start);
            Assert.False(start.IsCompleted, "start-up went on while the lock was held");
            await release();
            await start;
            Assert.Equal(HttpStatusCode.OK, (await CreateClient().GetAsync("/readyz")).StatusCode);
        }

        public ILogger CreateLogger(string categoryName) => categoryName == typeof(StartupDatabaseWait).FullName ? new WaitLog(this) : NullLogger;

        void IDisposable.Dispose()
        {
        }

        private static readonly ILogger NullLogger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        private sealed class WaitLog(LockWaitingApp app) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel))
                    return;
                app._waiting.TrySetResult();
            }
        }
    }
}
