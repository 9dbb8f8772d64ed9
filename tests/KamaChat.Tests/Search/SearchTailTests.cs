using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.Search;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Search;

/// <summary>
/// The search app with SQLite's search indexing left to the test (<see cref="SqliteSearchIndexer"/> would run in ten
/// minutes): what a send writes stays pending until the test indexes it.
/// </summary>
public sealed class SqliteDeferredSearchApp : SearchApp
{
    public override string ProviderName => "sqlite";

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings =>
        base.ExtraSettings.Append(new("Search:SqliteIndexMilliseconds", "600000"));

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
}

/// <summary>Every search test again, with every message the tests send still pending (found beside the index, not in it).</summary>
[Trait("Provider", "sqlite")]
public sealed class SqliteDeferredSearchTests(SqliteDeferredSearchApp app) : SearchTests(app), IClassFixture<SqliteDeferredSearchApp>;

/// <summary>
/// A message is found the moment its send returns, before the background work that indexes it (SQLite: the indexer's
/// bulk insert; PostgreSQL: the merge of the GIN pending lists) and after it, edits and deletes included, with the
/// index's matches and the pending ones merged into one order, one total and one set of pages.
/// </summary>
public abstract class SearchTailTests(KamaChatApp app)
{
    [Fact]
    public async Task A_sent_message_is_found_at_once_by_every_kind_of_query_and_after_it_is_indexed()
    {
        var member = await app.UserAsync();
        var (serverId, general, owner) = await app.SeedServerWithChannelAsync(member);
        var staff = await owner.CreateChannelAsync(serverId, "staff");
        var response = await owner.Client.PutAsJsonAsync($"/api/v1/channels/{staff.Id}/permissions/role/{serverId}",
            new { allow = P.None.Text(), deny = P.ViewChannel.Text() });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var latin = await owner.Client.SendOkAsync(general, "the corvanquo deploy is done, see https://example.com/corvanquo");
        var cjk = await owner.Client.SendOkAsync(general, "明日は東京タワーに行く");
        var hidden = await owner.Client.SendOkAsync(staff.Id, "corvanquo for staff, 東京");
        var day = latin.Id.Timestamp.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        (string Query, Snowflake[] Owner, Snowflake[] Member)[] expected =
        [
            ("corvanquo", [hidden.Id, latin.Id], [latin.Id]),
            ("corva", [hidden.Id, latin.Id], [latin.Id]),
            ("\"corvanquo deploy\"", [latin.Id], [latin.Id]),
            ("東京", [hidden.Id, cjk.Id], [cjk.Id]),
            ("東京タワー", [cjk.Id], [cjk.Id]),
            ($"corvanquo from:{owner.Username}", [hidden.Id, latin.Id], [latin.Id]),
            ("corvanquo in:general", [latin.Id], [latin.Id]),
            ("corvanquo in:staff", [hidden.Id], []),
            ($"corvanquo during:{day}", [hidden.Id, latin.Id], [latin.Id]),
            ("has:link corvanquo", [latin.Id], [latin.Id]),
            ("corvanquo -deploy", [hidden.Id], []),
        ];

        await AssertPendingAsync(expectPending: true);
        await AssertFoundAsync(serverId, owner, member, expected);
        await app.IndexPendingAsync();
        await AssertPendingAsync(expectPending: false);
        await AssertFoundAsync(serverId, owner, member, expected);
        await AssertIndexIntactAsync();
    }

    [Fact]
    public async Task An_edited_message_is_found_by_its_new_text_only_pending_or_indexed()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var indexed = await owner.Client.SendOkAsync(channelId, "the velquorin plan 京都");
        await app.IndexPendingAsync();
        var pending = await owner.Client.SendOkAsync(channelId, "the velquorin draft 大阪");

        await EditAsync(owner, channelId, indexed.Id, "the marzipol plan 奈良");
        await EditAsync(owner, channelId, pending.Id, "the marzipol draft 神戸");
        await AssertEditedAsync();
        await app.IndexPendingAsync();
        await AssertEditedAsync();
        await AssertIndexIntactAsync();

        // Edited again once both are indexed.
        await EditAsync(owner, channelId, pending.Id, "the velquorin draft 大阪");
        Assert.Equal([pending.Id], await owner.SearchIdsAsync(serverId, "velquorin"));
        Assert.Equal([pending.Id], await owner.SearchIdsAsync(serverId, "大阪"));
        Assert.Equal([indexed.Id], await owner.SearchIdsAsync(serverId, "marzipol"));
        await AssertIndexIntactAsync();

        async Task AssertEditedAsync()
        {
            Assert.Empty(await owner.SearchIdsAsync(serverId, "velquorin"));
            Assert.Empty(await owner.SearchIdsAsync(serverId, "京都"));
            Assert.Empty(await owner.SearchIdsAsync(serverId, "大阪"));
            Assert.Equal([pending.Id, indexed.Id], await owner.SearchIdsAsync(serverId, "marzipol"));
            Assert.Equal([indexed.Id], await owner.SearchIdsAsync(serverId, "\"marzipol plan\""));
            Assert.Equal([indexed.Id], await owner.SearchIdsAsync(serverId, "奈良"));
            Assert.Equal([pending.Id], await owner.SearchIdsAsync(serverId, "神戸"));
        }
    }

    [Fact]
    public async Task A_deleted_message_or_channel_is_gone_at_once_and_after_indexing()
    {
        var (serverId, general, owner) = await app.SeedServerWithChannelAsync();
        var doomed = await owner.CreateChannelAsync(serverId, "doomed");
        var indexedGone = await owner.Client.SendOkAsync(general, "a quendril note 名古屋");
        var indexedKept = await owner.Client.SendOkAsync(general, "a quendril memo 名古屋");
        var inChannelIndexed = await owner.Client.SendOkAsync(doomed.Id, "a quendril line 名古屋");
        await app.IndexPendingAsync();
        var pendingGone = await owner.Client.SendOkAsync(general, "a quendril post 名古屋");
        var pendingKept = await owner.Client.SendOkAsync(general, "a quendril text 名古屋");
        var inChannelPending = await owner.Client.SendOkAsync(doomed.Id, "a quendril word 名古屋");
        Assert.Equal(6, (await owner.SearchIdsAsync(serverId, "quendril")).Count);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{general}/messages/{indexedGone.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{general}/messages/{pendingGone.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{doomed.Id}")).StatusCode);
        Assert.Equal([pendingKept.Id, indexedKept.Id], await owner.SearchIdsAsync(serverId, "quendril"));
        Assert.Equal([pendingKept.Id, indexedKept.Id], await owner.SearchIdsAsync(serverId, "名古屋"));
        await app.IndexPendingAsync();
        Assert.Equal([pendingKept.Id, indexedKept.Id], await owner.SearchIdsAsync(serverId, "quendril"));
        Assert.Equal([pendingKept.Id, indexedKept.Id], await owner.SearchIdsAsync(serverId, "名古屋"));
        await AssertIndexIntactAsync();
        await AssertNotInIndexAsync([indexedGone.Id, pendingGone.Id, inChannelIndexed.Id, inChannelPending.Id], "quendril", "名古");
    }

    [Fact]
    public async Task Totals_and_pages_cross_from_the_pending_messages_into_the_index()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var partial = await owner.Client.SendOkAsync(channelId, "pelmorathian things");
        var indexed = await app.SeedMessagesAsync(channelId, owner, 20, i => $"pelmorath {i}");
        await app.IndexPendingAsync();
        var pending = new List<Snowflake>();
        for (var i = 0; i < 10; i++)
            pending.Add((await owner.Client.SendOkAsync(channelId, $"pelmorath later {i}")).Id);
        var whole = await owner.Client.SendOkAsync(channelId, "pelmorath");
        await AssertPendingAsync(expectPending: true);
        List<Snowflake> all = [partial.Id, .. indexed, .. pending, whole.Id];

        foreach (var sort in new[] { SearchSort.Newest, SearchSort.Oldest })
        {
            var pages = new List<Snowflake>();
            for (var offset = 0; offset < 45; offset += 15)
            {
                var page = await owner.SearchServerAsync(serverId, ("q", "pelmorath"), ("sort", sort.ToString().ToLowerInvariant()),
                    ("offset", offset.ToString(CultureInfo.InvariantCulture)), ("limit", "15"));
                Assert.Equal((32, false), (page.TotalResults, page.TotalIsCapped));
                pages.AddRange(page.Ids());
            }
            Assert.Equal(sort == SearchSort.Newest ? Enumerable.Reverse(all) : all, pages);
        }
        // Relevance reads the pending ones too: the whole word, pending, first; the partial match, indexed, last.
        var byRelevance = (await owner.SearchServerAsync(serverId, ("q", "pelmorath"), ("sort", "relevance"), ("limit", "25"), ("offset", "25"))).Ids();
        Assert.Equal(partial.Id, byRelevance[^1]);
        Assert.Equal(whole.Id, (await owner.SearchServerAsync(serverId, ("q", "pelmorath"), ("sort", "relevance"), ("limit", "1"))).Ids().Single());
    }

    private static async Task AssertFoundAsync(Snowflake serverId, TestUser owner, TestUser member, (string Query, Snowflake[] Owner, Snowflake[] Member)[] expected)
    {
        foreach (var (q, byOwner, byMember) in expected)
        {
            Assert.True(byOwner.SequenceEqual(await owner.SearchIdsAsync(serverId, q)), $"the owner's '{q}'");
            Assert.True(byMember.SequenceEqual(await member.SearchIdsAsync(serverId, q)), $"the member's '{q}'");
        }
    }

    private static async Task EditAsync(TestUser user, Snowflake channelId, Snowflake messageId, string content) =>
        Assert.Equal(HttpStatusCode.OK, (await user.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}/messages/{messageId}", new { content })).StatusCode);

    /// <summary>Whether messages wait for the background work: SQLite's pending table; nothing to see on PostgreSQL.</summary>
    protected virtual Task AssertPendingAsync(bool expectPending) => Task.CompletedTask;

    /// <summary>The indexes' own consistency checks (SQLite: FTS5's integrity-check), with nothing pending.</summary>
    protected virtual Task AssertIndexIntactAsync() => Task.CompletedTask;

    /// <summary>None of <paramref name="ids"/> is in the indexes under any of <paramref name="texts"/> (SQLite, asked directly).</summary>
    protected virtual Task AssertNotInIndexAsync(Snowflake[] ids, string trigramText, string bigram) => Task.CompletedTask;
}

[Trait("Provider", "sqlite")]
public sealed class SqliteSearchTailTests(SqliteDeferredSearchApp app) : SearchTailTests(app), IClassFixture<SqliteDeferredSearchApp>
{
    protected override async Task AssertPendingAsync(bool expectPending) => Assert.Equal(expectPending, await app.PendingSearchRowsAsync() > 0);

    /// <summary>
    /// FTS5's integrity-check: rank 1 compares the trigram index with its content table (<c>messages</c>), so only with
    /// nothing pending; the contentless bigram index can only check itself.
    /// </summary>
    protected override async Task AssertIndexIntactAsync()
    {
        await app.IndexPendingAsync();
        await app.QueryAsync(async db =>
        {
            await db.Database.ExecuteSqlRawAsync("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)");
            return await db.Database.ExecuteSqlRawAsync("INSERT INTO message_bigrams_fts(message_bigrams_fts) VALUES ('integrity-check')");
        });
    }

    protected override async Task AssertNotInIndexAsync(Snowflake[] ids, string trigramText, string bigram)
    {
        var values = ids.Select(id => id.Value).ToList();
        var indexed = await app.QueryAsync(async db =>
            (await db.Database.SqlQueryRaw<long>("SELECT rowid AS \"Value\" FROM messages_fts WHERE messages_fts MATCH {0}", $"\"{trigramText}\"").ToListAsync())
            .Concat(await db.Database.SqlQueryRaw<long>("SELECT rowid AS \"Value\" FROM message_bigrams_fts WHERE message_bigrams_fts MATCH {0}", $"\"{bigram}\"").ToListAsync())
            .ToList());
        Assert.Empty(indexed.Intersect(values));
    }
}

[Trait("Provider", "postgres")]
public sealed class PostgresSearchTailTests(PostgresUnmergedSearchApp app) : SearchTailTests(app), IClassFixture<PostgresUnmergedSearchApp>;

/// <summary>The node's own indexer, as configured by default (once a second), empties the pending table without being asked.</summary>
[Trait("Provider", "sqlite")]
public sealed class SqliteBackgroundIndexingTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Sent_messages_are_indexed_in_the_background_and_found_before_and_after()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var sent = await owner.Client.SendOkAsync(channelId, "a plixandrum in the background 札幌");
        Assert.Equal([sent.Id], await owner.SearchIdsAsync(serverId, "plixandrum"));

        // A few messages, so only the indexer's next tick (one a second) can take them out of the table.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await app.PendingSearchRowsAsync() > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the background indexer emptied the pending table");
            await Task.Delay(100);
        }
        var indexed = await app.QueryAsync(async db =>
            (await db.Database.SqlQueryRaw<long>("SELECT rowid AS \"Value\" FROM messages_fts WHERE messages_fts MATCH '\"plixandrum\"'").ToListAsync())
            .Concat(await db.Database.SqlQueryRaw<long>("SELECT rowid AS \"Value\" FROM message_bigrams_fts WHERE message_bigrams_fts MATCH '\"札幌\"'").ToListAsync())
            .ToList());
        Assert.Equal([sent.Id.Value, sent.Id.Value], indexed);
        Assert.Equal([sent.Id], await owner.SearchIdsAsync(serverId, "plixandrum"));
        Assert.Equal([sent.Id], await owner.SearchIdsAsync(serverId, "札幌"));
    }
}

/// <summary>Messages pending when a node stops are indexed when it starts again, whichever way it is set to index.</summary>
[Trait("Provider", "sqlite")]
public sealed class SqliteSearchIndexerRestartTests
{
    [Theory]
    [InlineData("600000")]
    [InlineData("0")]
    public async Task Messages_pending_when_the_node_stopped_are_indexed_when_it_starts(string indexMilliseconds)
    {
        var directory = Directory.CreateTempSubdirectory("kamachat-test-restart-").FullName;
        try
        {
            var live = Path.Combine(directory, "kamachat.db");
            var crashed = Path.Combine(directory, "crashed.db");
            var first = new SqliteNode("sqlite://" + live, "600000");
            Snowflake sentId;
            try
            {
                await first.InitializeAsync();
                var (_, channelId, owner) = await first.SeedServerWithChannelAsync();
                sentId = (await owner.Client.SendOkAsync(channelId, "a zorbanthic note 京都")).Id;
                Assert.True(await first.PendingSearchRowsAsync() >= 1);
                // The database as a crash at this moment leaves it: a consistent copy, taken while the node runs, by
                // SQLite's backup. (A stop with no shutdown time was no crash: on a busy machine that stop sometimes
                // indexed before its cancellation took effect, and this test failed.)
                await using var source = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={live};Pooling=False");
                await using var copy = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={crashed};Pooling=False");
                await source.OpenAsync();
                await copy.OpenAsync();
                source.BackupDatabase(copy);
            }
            finally
            {
                await first.DisposeAsync();
            }

            await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={crashed};Pooling=False"))
            {
                await connection.OpenAsync();
                Assert.True(await ScalarAsync(connection, "SELECT count(*) FROM message_search_pending") >= 1);
            }

            var second = new SqliteNode("sqlite://" + crashed, indexMilliseconds);
            try
            {
                await second.InitializeAsync();
                Assert.Equal(0, await second.PendingSearchRowsAsync());
                var found = await second.QueryAsync(async db =>
                    (await db.Database.SqlQueryRaw<long>("SELECT rowid AS \"Value\" FROM messages_fts WHERE messages_fts MATCH '\"zorbanthic\"'").ToListAsync())
                    .Concat(await db.Database.SqlQueryRaw<long>("SELECT rowid AS \"Value\" FROM message_bigrams_fts WHERE message_bigrams_fts MATCH '\"京都\"'").ToListAsync())
                    .ToList());
                Assert.Equal([sentId.Value, sentId.Value], found);

                // Set to index in the send, a new message goes straight into the index: nothing pending.
                var (_, channelId, owner) = await second.SeedServerWithChannelAsync();
                await owner.Client.SendOkAsync(channelId, "another zorbanthic note");
                Assert.Equal(indexMilliseconds == "0", await second.PendingSearchRowsAsync() == 0);
            }
            finally
            {
                await second.DisposeAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Messages_sent_before_a_clean_stop_are_in_the_index_once_the_node_has_stopped()
    {
        var directory = Directory.CreateTempSubdirectory("kamachat-test-stop-").FullName;
        try
        {
            var file = Path.Combine(directory, "kamachat.db");
            // The timer would run in ten minutes: only the stop can index them.
            var node = new SqliteNode("sqlite://" + file, "600000");
            Snowflake[] sent;
            try
            {
                await node.InitializeAsync();
                var (_, channelId, owner) = await node.SeedServerWithChannelAsync();
                sent = [(await owner.Client.SendOkAsync(channelId, "a quembrist note")).Id, (await owner.Client.SendOkAsync(channelId, "another quembrist 奈良")).Id];
                Assert.Equal(2, await node.PendingSearchRowsAsync());
            }
            finally
            {
                await node.DisposeAsync();
            }

            // Read straight from the file, before any node starts on it again.
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False");
            await connection.OpenAsync();
            Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM message_search_pending"));
            Assert.Equal(sent.Select(id => id.Value), await RowIdsAsync(connection, "SELECT rowid FROM messages_fts WHERE messages_fts MATCH '\"quembrist\"' ORDER BY rowid"));
            Assert.Equal([sent[1].Value], await RowIdsAsync(connection, "SELECT rowid FROM message_bigrams_fts WHERE message_bigrams_fts MATCH '\"奈良\"'"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<long> ScalarAsync(Microsoft.Data.Sqlite.SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<List<long>> RowIdsAsync(Microsoft.Data.Sqlite.SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<long>();
        while (await reader.ReadAsync())
            ids.Add(reader.GetInt64(0));
        return ids;
    }

    /// <summary>A node on a SQLite file the test keeps between nodes.</summary>
    private sealed class SqliteNode(string databaseUrl, string indexMilliseconds) : KamaChatApp
    {
        public override string ProviderName => "sqlite";

        protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => [new("Search:SqliteIndexMilliseconds", indexMilliseconds)];

        protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(databaseUrl);
    }
}

public static class SearchIndexing
{
    /// <summary>
    /// Runs the background work that takes sent messages into the search indexes now: SQLite's
    /// <see cref="SqliteSearchIndexer"/>, PostgreSQL's merge of the GIN pending lists.
    /// </summary>
    public static async Task IndexPendingAsync(this KamaChatApp app)
    {
        if (app.ProviderName == "sqlite")
            await app.Services.GetRequiredService<SqliteSearchIndexer>().IndexAsync(default);
        else
            await PendingListMerger.MergeAsync(app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString, default);
    }

    /// <summary>SQLite: the sent messages not indexed yet.</summary>
    public static Task<long> PendingSearchRowsAsync(this KamaChatApp app) =>
        app.QueryAsync(db => db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM message_search_pending").SingleAsync());
}
