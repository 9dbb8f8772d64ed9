using KamaChat.Server.Data;
using KamaChat.Server.Features.Search;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KamaChat.Tests.Search;

/// <summary>
/// SQLite estimates how many messages hold each trigram of a long word or phrase from a sample spread over the history,
/// and how many messages there are from the index's own row count: not from how far back the newest occurrences reach,
/// which a burst of recent messages throws off.
/// </summary>
public sealed class SqliteTrigramSampleTests(SqliteSearchApp app) : IClassFixture<SqliteSearchApp>
{
    [Fact]
    public async Task Trigram_counts_come_from_the_sample_and_the_message_count_from_the_index()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        // All sent within moments, the later word in a burst after the first: the ids' spans tell nothing here.
        await app.SeedMessagesAsync(channelId, owner, 60, i => $"wbxnix {i}");
        await app.SeedMessagesAsync(channelId, owner, 30, i => $"qzvel {i} wbxnix");

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var sample = await SqliteTrigramSample.LoadAsync(db, default);
        var total = await db.Messages.CountAsync();
        // A small history is sampled whole.
        Assert.Equal(total, sample.RowCount);
        var (messages, counts, _, _) = await SqliteSearchEngine.ProbeAsync(db, sample, ["wbx", "qzv"], default);
        Assert.Equal(total, messages);
        Assert.Equal(90, counts["wbx"]);
        Assert.Equal(30, counts["qzv"]);
        Assert.Equal(30, (await owner.SearchServerAsync(serverId, ("q", "qzvel wbxnix"))).TotalResults);
    }

    /// <summary>
    /// The sample is the node's, reloaded behind the searches: concurrent searches on an old one start one reload and none
    /// waits for it (it is held here until they are done). It was reloaded by each search that found it old, on the
    /// request path.
    /// </summary>
    [Fact]
    public async Task Concurrent_searches_on_an_old_sample_start_one_reload_and_none_waits_for_it()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        await app.SeedMessagesAsync(channelId, owner, 40, i => $"wbxnix {i} qzvel");
        await owner.Client.SendOkAsync(channelId, "wbxnixqzvel");
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var reloadMayFinish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loads = 0;
        var cache = new TrigramSampleCache<SqliteTrigramSample>(async cancellationToken =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var sample = await SqliteTrigramSample.LoadAsync(scope.ServiceProvider.GetRequiredService<KamaDbContext>(), cancellationToken);
            if (Interlocked.Increment(ref loads) > 1)
                await reloadMayFinish.Task.WaitAsync(cancellationToken);
            return sample;
        }, clock, NullLogger.Instance, CancellationToken.None);
        var samples = new TrigramSamples(app.Services.GetRequiredService<TrigramSamples>().Postgres, cache);

        var first = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SearchAsync(samples, serverId, "wbxnixqzvel")));
        Assert.All(first, r => Assert.Equal(1, r.Total));
        Assert.Equal(1, cache.Loads);

        clock.Advance(TrigramSampleCache.SmallSampleLifetime);
        var during = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SearchAsync(samples, serverId, "wbxnixqzvel")));
        Assert.All(during, r => Assert.Equal(1, r.Total));
        Assert.False(cache.Loading.IsCompleted, "the reload is held until the searches are done, and they were done without it");
        Assert.Equal(2, cache.Loads);
        reloadMayFinish.SetResult();
        await cache.Loading;
    }

    /// <summary>A search through the service, as the endpoint makes it, by the index (a small history is walked without it).</summary>
    private async Task<SearchResults> SearchAsync(TrigramSamples samples, Snowflake serverId, string q)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var channelIds = await db.Channels.Where(c => c.ServerId == serverId).Select(c => c.Id).ToListAsync();
        var search = new MessageSearch(db, scope.ServiceProvider.GetRequiredService<ILookupNormalizer>(), Options.Create(new SearchOptions { FilterDrivenLimit = 0, TextPlan = SearchTextPlan.Index }), samples);
        return await search.SearchAsync(SearchQueryParser.Parse(q).Query, channelIds, SearchSort.Newest, 0, 25, default);
    }
}
