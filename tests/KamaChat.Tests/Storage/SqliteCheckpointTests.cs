using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

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
}
