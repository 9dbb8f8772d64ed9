using System.Collections.Concurrent;
using KamaChat.Server.Data;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KamaChat.Tests.Storage;

/// <summary>
/// SQLite's log is copied back into the database file by the node's background checkpoint, not inside a commit: a
/// commit that checkpointed held the one write lock while it copied and synced, and every send queued behind it.
/// </summary>
[Trait("Provider", "sqlite")]
public sealed class SqliteCheckpointTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Commits_do_not_checkpoint_and_the_background_checkpoint_copies_them_into_the_database_file()
    {
        var autoCheckpoint = await app.QueryAsync(async db =>
        {
            await db.Database.OpenConnectionAsync();
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "PRAGMA wal_autocheckpoint;";
            return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        });
        Assert.Equal(0, autoCheckpoint);

        var file = new FileInfo(app.DatabaseUrl["sqlite://".Length..]);
        var me = await app.UserAsync();
        var (_, channelId, _) = await app.SeedServerWithChannelAsync(me);
        file.Refresh();
        var before = file.LastWriteTimeUtc;
        // Commits write only to the log: the database file changes when a checkpoint copies them, which no commit does now.
        for (var i = 0; i < 5; i++)
            await me.Client.SendOkAsync(channelId, $"checkpointed {i}");
        for (var attempt = 0; attempt < 100 && file.LastWriteTimeUtc <= before; attempt++)
        {
            await Task.Delay(100);
            file.Refresh();
        }
        Assert.True(file.LastWriteTimeUtc > before, "the background checkpoint copied the new commits into the database file");
    }

    [Fact]
    public async Task A_checkpoint_that_keeps_failing_warns_once_not_every_second_and_says_when_it_works_again()
    {
        // A database in a directory that is not there yet: every checkpoint fails until it is made, as on a lost disk.
        var directory = Path.Combine(Path.GetTempPath(), "kamachat-checkpoint-" + Guid.NewGuid().ToString("N"));
        var options = Options.Create(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={Path.Combine(directory, "chat.db")}" });
        var log = new RecordingLogger();
        using var checkpoints = new SqliteCheckpoints(options, log) { Interval = TimeSpan.FromMilliseconds(10) };
        await checkpoints.StartAsync(CancellationToken.None);
        try
        {
            for (var attempt = 0; attempt < 500 && log.Count(LogLevel.Debug) < 5; attempt++)
                await Task.Delay(20);
            Assert.True(log.Count(LogLevel.Debug) >= 5, "the checkpoint kept trying");
            Assert.Equal(1, log.Count(LogLevel.Warning));

            Directory.CreateDirectory(directory);
            for (var attempt = 0; attempt < 500 && log.Count(LogLevel.Information) == 0; attempt++)
                await Task.Delay(20);
            Assert.Contains("works again", Assert.Single(log.Entries, entry => entry.Level == LogLevel.Information).Message, StringComparison.Ordinal);
        }
        finally
        {
            await checkpoints.StopAsync(CancellationToken.None);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
    }

    private sealed class RecordingLogger : ILogger<SqliteCheckpoints>
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

        public int Count(LogLevel level) => Entries.Count(entry => entry.Level == level);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception)));
    }
}
