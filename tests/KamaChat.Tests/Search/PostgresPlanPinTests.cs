using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Search;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KamaChat.Tests.Search;

/// <summary>
/// PostgreSQL's search is one round trip: the probe statement pins the chosen plan with set_config(…, is_local) and the
/// search statement in the same batch is planned under it. These check what that relies on — the setting reaches the next
/// statement of the batch and ends with it — and that a search leaves the connection's settings as it found them.
/// </summary>
public sealed class PostgresPlanPinTests(PostgresSearchApp app) : IClassFixture<PostgresSearchApp>
{
    private static readonly string[] Settings = ["enable_bitmapscan", "enable_seqscan", "enable_sort", "enable_indexscan", "max_parallel_workers_per_gather", "jit"];

    [Fact]
    public async Task A_setting_pinned_in_a_batch_holds_for_its_next_statement_and_ends_with_the_batch()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "SELECT set_config('enable_bitmapscan', 'off', true); SELECT current_setting('enable_bitmapscan');";
        await using (var reader = await command.ExecuteReaderAsync())
        {
            Assert.True(await reader.NextResultAsync());
            Assert.True(await reader.ReadAsync());
            Assert.Equal("off", reader.GetString(0));
        }
        Assert.Equal("on", await SettingAsync(db.Database.GetDbConnection(), "enable_bitmapscan"));
    }

    [Fact]
    public async Task Searching_with_the_probe_finds_what_each_pinned_plan_finds_and_leaves_the_settings_alone()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        foreach (var text in new[] { "deployment done", "the servers", "Déploiement", "deploy again", "東京タワー", "東京" })
            await owner.Client.SendOkAsync(channelId, text);

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var channelIds = await db.Channels.Where(c => c.ServerId == serverId).Select(c => c.Id).ToListAsync();
        await db.Database.OpenConnectionAsync();
        var before = new Dictionary<string, string>();
        foreach (var setting in Settings)
            before[setting] = await SettingAsync(db.Database.GetDbConnection(), setting);
        await db.Database.CloseConnectionAsync();
        Assert.Equal("on", before["enable_bitmapscan"]);
        Assert.NotEqual("0", before["max_parallel_workers_per_gather"]);
        // A page of 2 against 3 matches: walking (the probe's choice on so few messages, and pinned) finds the page and
        // counts apart; the index plan counts its list. The totals must agree.
        foreach (var (q, total) in new[] { ("deplo", 3), ("deplo -done", 2), ("東京", 2), ("東京タ", 1), ("erver", 1) })
        {
            var found = new List<List<Snowflake>>();
            foreach (var plan in new[] { SearchTextPlan.Auto, SearchTextPlan.Walk, SearchTextPlan.Index })
            {
                var search = new MessageSearch(db, scope.ServiceProvider.GetRequiredService<ILookupNormalizer>(),
                    Options.Create(new SearchOptions { FilterDrivenLimit = 0, TextPlan = plan }), scope.ServiceProvider.GetRequiredService<TrigramSamples>());
                var results = await search.SearchAsync(SearchQueryParser.Parse(q).Query, channelIds, SearchSort.Newest, 0, 2, default);
                found.Add(results.Hits.Select(h => h.MessageId).ToList());
                Assert.Equal((total, false, Math.Min(total, 2)), (results.Total, results.TotalIsCapped, results.Hits.Count));
                await db.Database.OpenConnectionAsync();
                foreach (var setting in Settings)
                    Assert.Equal(before[setting], await SettingAsync(db.Database.GetDbConnection(), setting));
                await db.Database.CloseConnectionAsync();
            }
            Assert.NotEmpty(found[0]);
            Assert.All(found, ids => Assert.Equal(found[0], ids));
        }
    }

    [Fact]
    public async Task A_phrase_is_narrowed_by_the_trigram_index_across_its_space()
    {
        // The trigram index is built on the folded text with spaces read as 'ß', so a phrase's trigrams across its space
        // are in it: of the messages holding both words, the index hands only the one with the phrase to the recheck.
        // (Built on the folded text as it was, or with a condition the planner does not match to the index's expression,
        // the bitmap held all eleven, or no index was used at all.)
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        await app.SeedMessagesAsync(channelId, owner, 10, i => $"violet {i} harbor");
        await owner.Client.SendOkAsync(channelId, "the violet harbor");

        Assert.Equal(1, await IndexCandidatesAsync("\"violet harbor\""));
    }

    [Fact]
    public async Task The_index_rechecks_a_candidate_with_one_LIKE_on_the_stored_text()
    {
        // A GIN trigram match is always rechecked, and the recheck evaluates the index's expression on every candidate:
        // with the index on translate("SearchText", …) each near miss paid for a translate() of its whole text too.
        // Now the column stores the stand-in itself, so the plan runs no function on a message's text at all.
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        await app.SeedMessagesAsync(channelId, owner, 10, i => $"amber {i} quay");
        await owner.Client.SendOkAsync(channelId, "the amber quay");

        var plan = await IndexPlanAsync("\"amber quay\"");
        Assert.Contains(plan, line => line.Contains("Recheck Cond: (\"SearchText\" ~~ '%amberßquay%'::text)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("translate(", StringComparison.Ordinal) || line.Contains("Filter:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_text_looked_up_by_its_chosen_trigrams_asks_the_index_for_those_alone()
    {
        // The whole text is checked on the same column as the chosen trigrams' pattern: written as the LIKE operator, the
        // planner would hand it to the index too, which would then read every trigram of the text, the lookup's cost
        // the choice exists to save. As textlike() it is only a filter on the candidates.
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        await app.SeedMessagesAsync(channelId, owner, 10, i => $"cobalt {i} pier");
        await owner.Client.SendOkAsync(channelId, "the cobalt pier");
        await owner.Client.SendOkAsync(channelId, "cobaltßpier, cobalt_pier");

        var lookup = new Dictionary<string, string> { ["cobalt pier"] = "%tßp%" };
        var plan = await IndexPlanAsync("\"cobalt pier\"", lookup);
        var scan = Assert.Single(plan, line => line.Contains("Bitmap Index Scan on \"IX_messages_search_trigram\"", StringComparison.Ordinal));
        Assert.Contains("(actual rows=1 loops=1)", scan, StringComparison.Ordinal);
        var cond = Assert.Single(plan, line => line.Contains("Index Cond:", StringComparison.Ordinal));
        Assert.Contains("'%tßp%'", cond, StringComparison.Ordinal);
        Assert.DoesNotContain("cobalt", cond, StringComparison.Ordinal);
        Assert.Contains(plan, line => line.Contains("Filter: textlike(\"SearchText\", '%cobaltßpier%'::text)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("translate(", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_word_with_a_q_is_not_read_as_its_letters_before_a_space()
    {
        // The index's stand-in for a space is no letter a word may hold: with 'q' there, 'nmiq' was keyed by the
        // trigrams of every "nmi" followed by a space, and the index handed all eleven messages to the recheck.
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        await app.SeedMessagesAsync(channelId, owner, 10, i => $"nmi {i} harbor");
        await owner.Client.SendOkAsync(channelId, "the nmiq harbor");

        Assert.Equal(1, await IndexCandidatesAsync("nmiq"));
    }

    [Fact]
    public async Task Two_CJK_characters_are_looked_up_in_the_bigram_index_whose_predicate_the_condition_repeats()
    {
        // The bigram index is partial (messages with a pair of CJK characters): PostgreSQL reads it only when the search's
        // condition proves its predicate, which it does by carrying the predicate's own text. A change to one of the two
        // alone leaves the index unread (a sequential scan, here forbidden) or, for the index, a predicate that no longer
        // matches the rows it holds.
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        await app.SeedMessagesAsync(channelId, owner, 10, i => $"latin text {i}");
        await owner.Client.SendOkAsync(channelId, "昨日は東京タワーに行きました");
        await owner.Client.SendOkAsync(channelId, "大阪は晴れ");

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        var sql = new SearchSql(command, postgres: true);
        command.CommandText = $"""
            SELECT set_config('enable_seqscan', 'off', true);
            EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT m."Id" FROM messages m WHERE {PostgresSearchEngine.BigramCondition(sql.Parameter(new[] { "東京" }))};
            """;
        var plan = await PlanAsync(command);
        var scan = Assert.Single(plan, line => line.Contains("Bitmap Index Scan on \"IX_messages_search_bigram\"", StringComparison.Ordinal));
        Assert.Contains("(actual rows=1 loops=1)", scan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_common_word_walked_on_to_its_count_is_counted_as_each_pinned_plan_counts_it()
    {
        // "alpha" in every other message of 3,000: the probe's newest 2,000 hold 1,000 of them, so the walk goes on to the
        // count (1,001 matches within about 2,000 messages) instead of counting the index's bitmap. The capped total and
        // the page must be what the walk pinned with the bitmap count, and the index plan, find.
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        await app.SeedMessagesAsync(channelId, owner, 3000, i => i % 2 == 0 ? $"alpha {i}" : $"other {i}");

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var channelIds = await db.Channels.Where(c => c.ServerId == serverId).Select(c => c.Id).ToListAsync();
        var pages = new List<List<Snowflake>>();
        foreach (var plan in new[] { SearchTextPlan.Auto, SearchTextPlan.Walk, SearchTextPlan.Index })
        {
            var search = new MessageSearch(db, scope.ServiceProvider.GetRequiredService<ILookupNormalizer>(),
                Options.Create(new SearchOptions { FilterDrivenLimit = 0, TextPlan = plan }), scope.ServiceProvider.GetRequiredService<TrigramSamples>());
            var results = await search.SearchAsync(SearchQueryParser.Parse("alpha").Query, channelIds, SearchSort.Newest, 0, 25, default);
            Assert.Equal((MessageSearch.CountCap, true, 25), (results.Total, results.TotalIsCapped, results.Hits.Count));
            pages.Add(results.Hits.Select(h => h.MessageId).ToList());
        }
        Assert.All(pages, page => Assert.Equal(pages[0], page));
    }

    [Fact]
    public async Task No_search_statement_after_the_probe_is_compiled_by_the_JIT()
    {
        // A plan estimated over jit_above_cost is compiled when it starts, even the one its gate turns off: at 1,000,000
        // messages the index statement of a two-character CJK term, planned under the walk's settings, cost 12.8 ms of
        // compiling for nothing. Here every plan is over the threshold (0), and auto_explain sends each statement's plan
        // to the connection as a notice, with a "JIT:" block when it was compiled.
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        // Not 東京: the bigram test counts that pair's messages in the whole table.
        foreach (var text in new[] { "京都タワー", "京都駅", "deployment done" })
            await owner.Client.SendOkAsync(channelId, text);

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var channelIds = await db.Channels.Where(c => c.ServerId == serverId).Select(c => c.Id).ToListAsync();
        await db.Database.OpenConnectionAsync();
        var connection = (Npgsql.NpgsqlConnection)db.Database.GetDbConnection();
        var plans = new List<string>();
        connection.Notice += (_, e) => plans.Add(e.Notice.MessageText);
        await using (var setup = connection.CreateCommand())
        {
            setup.CommandText = "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_level = notice; SET jit_above_cost = 0";
            await setup.ExecuteNonQueryAsync();
        }
        foreach (var (q, plan) in new[] { ("京都", SearchTextPlan.Auto), ("deplo", SearchTextPlan.Auto), ("京都", SearchTextPlan.Index), ("deplo", SearchTextPlan.Walk) })
        {
            var search = new MessageSearch(db, scope.ServiceProvider.GetRequiredService<ILookupNormalizer>(),
                Options.Create(new SearchOptions { FilterDrivenLimit = 0, TextPlan = plan }), scope.ServiceProvider.GetRequiredService<TrigramSamples>());
            var results = await search.SearchAsync(SearchQueryParser.Parse(q).Query, channelIds, SearchSort.Newest, 0, 25, default);
            Assert.Equal(q == "京都" ? 2 : 1, results.Total);
        }

        // The search statements (the walk's, the index plan's, the count) all read messages m; the probe, planned before
        // the pin, is compiled, which shows that the JIT works here and that the check could fail.
        var searchStatements = plans.Where(p => p.Contains("FROM messages m", StringComparison.Ordinal)).ToList();
        Assert.True(searchStatements.Count >= 8, $"{searchStatements.Count} search statements explained");
        Assert.All(searchStatements, p => Assert.DoesNotContain("JIT:", p, StringComparison.Ordinal));
        Assert.Contains(plans, p => p.Contains("SELECT walk", StringComparison.Ordinal) && p.Contains("JIT:", StringComparison.Ordinal));
    }

    /// <summary>How many messages the trigram index hands to the recheck for <paramref name="q"/>'s text condition (its bitmap's rows).</summary>
    private async Task<int> IndexCandidatesAsync(string q)
    {
        var plan = await IndexPlanAsync(q);
        var scan = Assert.Single(plan, line => line.Contains("Bitmap Index Scan on \"IX_messages_search_trigram\"", StringComparison.Ordinal));
        return int.Parse(Regex.Match(scan, @"actual rows=(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>The plan, run, of <paramref name="q"/>'s text condition (with the chosen trigrams of <paramref name="lookup"/>) read through the text index.</summary>
    private async Task<List<string>> IndexPlanAsync(string q, IReadOnlyDictionary<string, string>? lookup = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        var sql = new SearchSql(command, postgres: true);
        PostgresSearchEngine.AddText(sql, SearchQueryParser.Parse(q).Query, lookup);
        command.CommandText = $"""
            SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true);
            EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT m."Id" FROM messages m WHERE {sql.Condition};
            """;
        return await PlanAsync(command);
    }

    /// <summary>The plan lines of a command whose second statement is the EXPLAIN (the first pins settings).</summary>

    private static async Task<List<string>> PlanAsync(DbCommand command)
    {
        var plan = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        await reader.NextResultAsync();
        while (await reader.ReadAsync())
            plan.Add(reader.GetString(0));
        return plan;
    }

    private static async Task<string> SettingAsync(DbConnection connection, string name)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT current_setting('{name}')";
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
