using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Data;
using KamaChat.Server.Data.Migrations.Sqlite;
using KamaChat.Server.Features.Search;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Search;

/// <summary>
/// SearchSharpSAsDoubleS: the messages SQLite's trigram index holds with their 'ß' or 'ẞ' as written are given to it
/// again as "ss", so they are found by "strasse" after the upgrade, later edits and deletes take out what it holds, and
/// going back gives them back as written.
/// </summary>
[Trait("Provider", "sqlite")]
public sealed class SqliteSearchMigrationTests(SqliteSearchApp app) : IClassFixture<SqliteSearchApp>
{
    [Fact]
    public async Task Messages_indexed_with_a_sharp_s_are_found_by_ss_after_the_upgrade_and_follow_edits_and_deletes()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var (previous, migration) = SearchMigrations.Around(db, nameof(SearchSharpSAsDoubleS));

        // Before it: the index given the content as written, in the send's insert (as this app's indexer configures it).
        // The rows are written as a send wrote them then: the app's model has columns this schema does not yet (a
        // later migration's: messages' link previews), so the app cannot send on it.
        await db.GetService<IMigrator>().MigrateAsync(previous);
        await db.Database.ExecuteSqlRawAsync(SearchIndexedAfterCommit.UseDirectInsert(direct: true, foldSharpS: false));
        var ids = app.Services.GetRequiredService<SnowflakeGenerator>();
        async Task<Snowflake> SendAsOfThenAsync(string content)
        {
            var id = ids.NextId();
            var at = (long)new DateTimeOffsetToBinaryConverter().ConvertToProvider(id.Timestamp)!;
            await db.Database.ExecuteSqlRawAsync(
                """INSERT INTO messages ("Id", "ChannelId", "AuthorId", "Content", "CreatedAt", "MentionsEveryone", "Sequence", "Kind") VALUES ({0}, {1}, {2}, {3}, {4}, 0, 0, 0)""",
                id.Value, channelId.Value, owner.Id.Value, content, at);
            return id;
        }
        var lang = new { Id = await SendAsOfThenAsync("Die Straße ist lang") };
        var kurz = new { Id = await SendAsOfThenAsync("die strasse ist kurz") };
        var capital = new { Id = await SendAsOfThenAsync("STRAẞE") };
        Assert.Equal([kurz.Id.Value], await IndexedAsync(db, "strasse"));

        await db.GetService<IMigrator>().MigrateAsync(migration);
        // On to the latest, whose model the app writes (a later migration adds columns it reads: members' JoinPosition).
        await db.GetService<IMigrator>().MigrateAsync(db.Database.GetMigrations().Last());
        // The node's start-up, which puts its direct insert triggers back.
        await app.Services.GetRequiredService<SqliteSearchIndexer>().PrepareAsync(default);
        Assert.Equal([lang.Id.Value, kurz.Id.Value, capital.Id.Value], await IndexedAsync(db, "strasse"));
        Assert.Equal([capital.Id, kurz.Id, lang.Id], await owner.SearchIdsAsync(serverId, "straße"));

        // The index forgets the old text only when handed the tokens it holds: the folded ones.
        var edit = await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}/messages/{lang.Id}", new { content = "Die Straße ist breit" });
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{channelId}/messages/{capital.Id}")).StatusCode);
        var sent = await owner.Client.SendOkAsync(channelId, "GROẞ ist lang");
        Assert.Equal([lang.Id.Value, kurz.Id.Value], await IndexedAsync(db, "strasse"));
        Assert.Equal([sent.Id.Value], await IndexedAsync(db, "lang"));
        Assert.Equal([lang.Id.Value], await IndexedAsync(db, "breit"));
        Assert.Equal([sent.Id.Value], await IndexedAsync(db, "gross"));
        Assert.Empty(await IndexedAsync(db, "straß"));
        // FTS5's own check of the index's structure (rank 1 would compare it with messages, which keep their 'ß').
        await db.Database.ExecuteSqlRawAsync("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')");

        // Down: those rows given back as written, and the index checks out against messages again.
        await db.GetService<IMigrator>().MigrateAsync(previous);
        Assert.Equal([kurz.Id.Value], await IndexedAsync(db, "strasse"));
        Assert.Equal([lang.Id.Value], await IndexedAsync(db, "straß"));
        Assert.Equal([sent.Id.Value], await IndexedAsync(db, "groẞ"));
        Assert.Empty(await IndexedAsync(db, "gross"));
        await db.Database.ExecuteSqlRawAsync("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)");
    }

    /// <summary>The messages SQLite's trigram index holds under <paramref name="text"/>, asked directly, in id order.</summary>
    private static Task<List<long>> IndexedAsync(KamaDbContext db, string text) =>
        db.Database.SqlQueryRaw<long>("SELECT rowid AS \"Value\" FROM messages_fts WHERE messages_fts MATCH {0} ORDER BY rowid", $"\"{text}\"").ToListAsync();
}
