using KamaChat.Server.Data;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Search;

/// <summary>
/// SearchTextSpacesAsStandIn rewrites the folded column of a database that already holds messages (PostgreSQL 15 cannot
/// change a generated column's expression): down and up again, the messages keep their folded text in the form each
/// side's index is built for, and searching after the upgrade finds what it found before. SearchFoldInPlpgsql changes
/// the fold function's language, not what it returns.
/// </summary>
public sealed class PostgresSearchMigrationTests(PostgresSearchApp app) : IClassFixture<PostgresSearchApp>
{
    private const string Migration = "SearchTextSpacesAsStandIn";

    // The app's model is the latest migration's (a later one adds columns it writes): each test goes on to it before
    // using the app again, and leaves the shared database there for the next test.
    private static Task MigrateToLatestAsync(KamaDbContext db) => db.GetService<IMigrator>().MigrateAsync(db.Database.GetMigrations().Last());

    [Fact]
    public async Task The_folded_column_is_rewritten_both_ways_and_search_finds_the_same_after_the_upgrade()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var phrase = await owner.Client.SendOkAsync(channelId, "Die Straße ist lang");
        var glued = await owner.Client.SendOkAsync(channelId, "strasseßist, strasseqist");
        var cjk = await owner.Client.SendOkAsync(channelId, "東京タワー に 行く");
        var queries = new[] { "\"straße ist\"", "strasse", "東京", "\"タワー に\"", "ist -lang" };
        var before = new List<List<Snowflake>>();
        foreach (var q in queries)
            before.Add(await owner.SearchIdsAsync(serverId, q));
        Assert.Equal([phrase.Id], before[0]);
        Assert.Equal([cjk.Id], before[2]);
        Assert.Equal([glued.Id], before[4]);

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var (previous, migration) = SearchMigrations.Around(db, Migration);

        await db.GetService<IMigrator>().MigrateAsync(previous);
        Assert.Equal("die strasse ist lang", await FoldedAsync(db, phrase.Id));
        Assert.Contains("translate(", await TrigramIndexAsync(db), StringComparison.Ordinal);

        await db.GetService<IMigrator>().MigrateAsync(migration);
        Assert.Equal("dießstrasseßistßlang", await FoldedAsync(db, phrase.Id));
        Assert.DoesNotContain("translate(", await TrigramIndexAsync(db), StringComparison.Ordinal);
        await MigrateToLatestAsync(db);
        for (var i = 0; i < queries.Length; i++)
            Assert.Equal(before[i], await owner.SearchIdsAsync(serverId, queries[i]));
    }

    [Fact]
    public async Task The_fold_function_moves_to_plpgsql_and_back_folding_the_same()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var (previous, migration) = SearchMigrations.Around(db, "SearchFoldInPlpgsql");
        const string Text = "Die Straße, ÉTÉ à Île-de-France";

        await db.GetService<IMigrator>().MigrateAsync(previous);
        Assert.Equal("sql", await FoldLanguageAsync(db));
        var folded = await FoldAsync(db, Text);
        Assert.Equal("die strasse, ete a ile-de-france", folded);

        await db.GetService<IMigrator>().MigrateAsync(migration);
        Assert.Equal("plpgsql", await FoldLanguageAsync(db));
        Assert.Equal(folded, await FoldAsync(db, Text));
        await MigrateToLatestAsync(db);
        // A message sent now is folded into the stored column by the new function and found at once.
        var sent = await owner.Client.SendOkAsync(channelId, Text);
        Assert.Equal("dießstrasse,ßeteßaßile-de-france", await FoldedAsync(db, sent.Id));
        Assert.Equal([sent.Id], await owner.SearchIdsAsync(serverId, "\"strasse, ete\""));
    }

    [Fact]
    public async Task The_bigram_function_moves_to_plpgsql_and_back_listing_the_same_pairs()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var (previous, _) = SearchMigrations.Around(db, "SearchBigramsInPlpgsql");
        var texts = new[] { "東京タワーに行く、東京", "한국어 공부", "no pairs here", "東" };

        await db.GetService<IMigrator>().MigrateAsync(previous);
        Assert.Equal("sql", await LanguageAsync(db, "kamachat_search_bigrams"));
        var pairs = new List<string?>();
        foreach (var text in texts)
            pairs.Add(await BigramsAsync(db, text));
        Assert.Equal(["に行,タワ,ワー,ーに,京タ,東京,行く", "공부,국어,한국", null, null], pairs);

        await MigrateToLatestAsync(db);
        Assert.Equal("plpgsql", await LanguageAsync(db, "kamachat_search_bigrams"));
        for (var i = 0; i < texts.Length; i++)
            Assert.Equal(pairs[i], await BigramsAsync(db, texts[i]));
        // A message sent now goes into the bigram index through the new function and is found by a pair at once.
        var sent = await owner.Client.SendOkAsync(channelId, "京都タワー");
        Assert.Equal([sent.Id], await owner.SearchIdsAsync(serverId, "都タ"));
    }

    private static async Task<string> LanguageAsync(KamaDbContext db, string function) =>
        await db.Database.SqlQuery<string>($"""SELECT l.lanname::text AS "Value" FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE p.proname = {function}""").SingleAsync();

    /// <summary>The pairs, sorted and joined (the index holds them as a set), or null when there is none.</summary>
    private static async Task<string?> BigramsAsync(KamaDbContext db, string text) =>
        await db.Database.SqlQuery<string?>($"""SELECT (SELECT string_agg(b, ',' ORDER BY b COLLATE "C") FROM unnest(kamachat_search_bigrams({text})) AS b) AS "Value" """).SingleAsync();

    private static Task<string> FoldLanguageAsync(KamaDbContext db) => LanguageAsync(db, "kamachat_search_fold");

    private static async Task<string> FoldAsync(KamaDbContext db, string text) =>
        await db.Database.SqlQuery<string>($"""SELECT kamachat_search_fold({text}) AS "Value" """).SingleAsync();

    private static async Task<string> FoldedAsync(KamaDbContext db, Snowflake id) =>
        await db.Database.SqlQuery<string>($"""SELECT "SearchText" AS "Value" FROM messages WHERE "Id" = {id.Value}""").SingleAsync();

    private static async Task<string> TrigramIndexAsync(KamaDbContext db) =>
        await db.Database.SqlQuery<string>($"""SELECT indexdef AS "Value" FROM pg_indexes WHERE indexname = 'IX_messages_search_trigram'""").SingleAsync();
}
