using KamaChat.Server.Data;
using KamaChat.Server.Features.Search;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KamaChat.Tests.Search;

/// <summary>
/// PostgreSQL asks its trigram index only for the trigrams of a long word or phrase worth reading (chosen from a sample
/// of the newest messages) and checks the whole text with LIKE. These check that the choice leaves out the common
/// trigrams, and that it finds exactly what asking for every trigram finds, near misses and look-alikes included.
/// </summary>
public sealed class PostgresTrigramChoiceTests(PostgresSearchApp app) : IClassFixture<PostgresSearchApp>
{
    [Fact]
    public async Task A_long_word_is_looked_up_by_its_rare_trigrams_and_finds_what_all_its_trigrams_find()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        // Common syllables everywhere; the word's own joins (enm, nmo) only where it is, or nearly is.
        await app.SeedMessagesAsync(channelId, owner, 60, i => $"corlen {i} morzu talk");
        await app.SeedMessagesAsync(channelId, owner, 5, i => $"lenmorzu and corlen {i}");
        foreach (var text in new[] { "corlenmorzu", "a xcorlenmorzuy here", "CORLENMORZU!", "corlen morzu", "corlenmorz u" })
            await owner.Client.SendOkAsync(channelId, text);

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var sample = await PostgresTrigramSample.LoadAsync(db, default);
        var chosen = sample.Select("corlenmorzu");
        Assert.NotNull(chosen);
        Assert.Contains("enm", chosen);
        Assert.DoesNotContain("cor", chosen);
        Assert.DoesNotContain("len", chosen);
        // One pattern for the index: the chosen trigrams' parts of the word in order, overlapping ones joined.
        var pattern = sample.IndexPattern("corlenmorzu");
        Assert.NotNull(pattern);
        Assert.StartsWith("%", pattern, StringComparison.Ordinal);
        Assert.Contains("enmo", pattern, StringComparison.Ordinal);
        Assert.DoesNotContain("cor", pattern, StringComparison.Ordinal);

        await AssertSameAsAllTrigramsAsync(scope, serverId, "corlenmorzu", total: 3);
        await AssertSameAsAllTrigramsAsync(scope, serverId, "corlenmorzu -xcorlenmorzuy", total: 2);
    }

    [Fact]
    public async Task A_phrase_looked_up_by_some_trigrams_still_tells_a_space_from_a_q()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        await app.SeedMessagesAsync(channelId, owner, 40, i => $"the quick {i} brown fox jumps");
        // The index reads spaces as 'ß' ('q' before SearchTrigramSpaceStandIn): neither a 'q' nor a user's 'ß' passes for one.
        foreach (var text in new[] { "the quick brown fox jumps", "quickqbrown fox", "quickßbrown fox", "Quick Brown foxes", "quick  brown" })
            await owner.Client.SendOkAsync(channelId, text);

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var sample = await PostgresTrigramSample.LoadAsync(db, default);
        var chosen = sample.Select("quick brown");
        Assert.NotNull(chosen);
        Assert.True(chosen.Count < 9, string.Join(",", chosen));
        // Chosen as the index cuts the phrase: some trigram across its space.
        Assert.Contains(chosen, t => t.Contains(PostgresSearchEngine.SpaceStandIn, StringComparison.Ordinal));

        await AssertSameAsAllTrigramsAsync(scope, serverId, "\"quick brown\"", total: 2);
        await AssertSameAsAllTrigramsAsync(scope, serverId, "\"quick brown fox\"", total: 2);
    }

    [Fact]
    public async Task Short_or_non_ascii_text_or_punctuation_reads_every_trigram()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        await app.SeedMessagesAsync(channelId, owner, 10, i => $"déploiement {i} 東京タワーへ");
        await using var scope = app.Services.CreateAsyncScope();
        var sample = await PostgresTrigramSample.LoadAsync(scope.ServiceProvider.GetRequiredService<KamaDbContext>(), default);
        Assert.Null(sample.Select("ploy"));
        Assert.Null(sample.Select("東京タワーへ"));
        Assert.Null(sample.Select("strassenbahnß"));
        Assert.Null(sample.Select("don't stop"));
    }

    /// <summary>Every plan (probe, walk, index; chosen trigrams or all of them) gives the same total and the same hits.</summary>
    private static async Task AssertSameAsAllTrigramsAsync(AsyncServiceScope scope, Snowflake serverId, string q, int total)
    {
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var channelIds = await db.Channels.Where(c => c.ServerId == serverId).Select(c => c.Id).ToListAsync();
        var found = new List<List<Snowflake>>();
        foreach (var plan in new[] { SearchTextPlan.Auto, SearchTextPlan.Walk, SearchTextPlan.Index })
        {
            foreach (var allTrigrams in new[] { false, true })
            {
                var search = new MessageSearch(db, scope.ServiceProvider.GetRequiredService<ILookupNormalizer>(),
                    Options.Create(new SearchOptions { FilterDrivenLimit = 0, TextPlan = plan, AllTrigrams = allTrigrams }), scope.ServiceProvider.GetRequiredService<TrigramSamples>());
                var results = await search.SearchAsync(SearchQueryParser.Parse(q).Query, channelIds, SearchSort.Newest, 0, 25, default);
                Assert.Equal((total, false), (results.Total, results.TotalIsCapped));
                found.Add(results.Hits.Select(h => h.MessageId).ToList());
            }
        }
        Assert.All(found, ids => Assert.Equal(found[0], ids));
    }
}
