using KamaChat.Server.Data;
using KamaChat.Server.Features.Search;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KamaChat.Tests.Search;

/// <summary>The search app with the background merge of the GIN pending lists turned off, so what a send adds stays pending.</summary>
public sealed class PostgresUnmergedSearchApp : SearchApp
{
    public override string ProviderName => "postgres";

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings =>
        base.ExtraSettings.Append(new("Search:PendingListMergeMilliseconds", "0"));

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => PostgresServer.CreateDatabaseAsync();
}

/// <summary>
/// PostgreSQL's search indexes take a send's keys into their pending lists, and <see cref="PendingListMerger"/> merges
/// them into the indexes in the background: a message is found the moment its send returns, merged or still pending.
/// </summary>
public sealed class PostgresPendingListTests(PostgresUnmergedSearchApp unmerged, PostgresSearchApp merged)
    : IClassFixture<PostgresUnmergedSearchApp>, IClassFixture<PostgresSearchApp>
{
    [Fact]
    public async Task A_message_still_in_the_pending_lists_is_found_through_the_indexes_and_after_they_are_merged()
    {
        var (serverId, channelId, owner) = await unmerged.SeedServerWithChannelAsync();
        var latin = await owner.Client.SendOkAsync(channelId, "the corvanquo deploy is done");
        var cjk = await owner.Client.SendOkAsync(channelId, "東京タワーに行く");
        await using var scope = unmerged.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var connectionString = scope.ServiceProvider.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString;

        // Both messages' keys are in the lists, not yet in the indexes' trees, and the searches read the indexes.
        Assert.True(await PendingTuplesAsync(db, "IX_messages_search_trigram") >= 2);
        Assert.True(await PendingTuplesAsync(db, "IX_messages_search_bigram") >= 1);
        await AssertFoundThroughTheIndexAsync(scope, db, channelId, [("corvanquo", latin.Id), ("\"corvanquo deploy\"", latin.Id), ("東京", cjk.Id), ("タワーに", cjk.Id)]);
        Assert.Equal([latin.Id], await owner.SearchIdsAsync(serverId, "corvanquo"));

        Assert.True(await PendingListMerger.MergeAsync(connectionString, default) > 0);
        Assert.Equal(0, await PendingTuplesAsync(db, "IX_messages_search_trigram"));
        Assert.Equal(0, await PendingTuplesAsync(db, "IX_messages_search_bigram"));
        await AssertFoundThroughTheIndexAsync(scope, db, channelId, [("corvanquo", latin.Id), ("\"corvanquo deploy\"", latin.Id), ("東京", cjk.Id), ("タワーに", cjk.Id)]);
        Assert.Equal(0, await PendingListMerger.MergeAsync(connectionString, default));
    }

    [Fact]
    public async Task The_pending_lists_are_merged_in_the_background_without_a_send_merging_them()
    {
        var (_, channelId, owner) = await merged.SeedServerWithChannelAsync();
        await using var scope = merged.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        Assert.Equal(SearchPendingListsLimit, await PendingListLimitAsync(db, "IX_messages_search_trigram"));
        Assert.Equal(SearchPendingListsLimit, await PendingListLimitAsync(db, "IX_messages_search_bigram"));

        var sent = await owner.Client.SendOkAsync(channelId, "a quillopine for the merge 京都");
        await AssertFoundThroughTheIndexAsync(scope, db, channelId, [("quillopine", sent.Id), ("京都", sent.Id)]);
        // A few messages are far under the limit, so only the merger can empty the lists; it runs once a second.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await PendingTuplesAsync(db, "IX_messages_search_trigram") + await PendingTuplesAsync(db, "IX_messages_search_bigram") > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the background merger emptied the pending lists");
            await Task.Delay(100);
        }
        await AssertFoundThroughTheIndexAsync(scope, db, channelId, [("quillopine", sent.Id), ("京都", sent.Id)]);
    }

    private static string SearchPendingListsLimit =>
        $"gin_pending_list_limit={Server.Data.Migrations.Postgres.SearchPendingListsMergedInBackground.LimitKilobytes}";

    /// <summary>Each query through the search service with the plan pinned to the text index (not a walk of the messages), finding exactly its message.</summary>
    private static async Task AssertFoundThroughTheIndexAsync(AsyncServiceScope scope, KamaDbContext db, Snowflake channelId, (string Query, Snowflake Id)[] expected)
    {
        var search = new MessageSearch(db, scope.ServiceProvider.GetRequiredService<ILookupNormalizer>(),
            Options.Create(new SearchOptions { FilterDrivenLimit = 0, TextPlan = SearchTextPlan.Index }), scope.ServiceProvider.GetRequiredService<TrigramSamples>());
        foreach (var (q, id) in expected)
        {
            var results = await search.SearchAsync(SearchQueryParser.Parse(q).Query, [channelId], SearchSort.Newest, 0, 25, default);
            Assert.Equal([id], results.Hits.Select(h => h.MessageId));
        }
    }

    /// <summary>Index entries (heap tuples) waiting in an index's pending list (pgstattuple's pgstatginindex).</summary>
    private static async Task<long> PendingTuplesAsync(KamaDbContext db, string index)
    {
        await db.Database.ExecuteSqlRawAsync("CREATE EXTENSION IF NOT EXISTS pgstattuple");
        var quoted = $"\"{index}\"";
        return await db.Database.SqlQuery<long>($"""SELECT pending_tuples AS "Value" FROM pgstatginindex({quoted}::regclass)""").SingleAsync();
    }

    private static async Task<string> PendingListLimitAsync(KamaDbContext db, string index) =>
        await db.Database.SqlQuery<string>($"""SELECT o AS "Value" FROM pg_class c, unnest(c.reloptions) AS o WHERE c.relname = {index} AND o LIKE 'gin_pending_list_limit=%'""").SingleAsync();
}
