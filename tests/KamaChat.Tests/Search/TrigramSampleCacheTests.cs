using System.Diagnostics;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Search;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Xunit.Abstractions;

namespace KamaChat.Tests.Search;

/// <summary>
/// The trigram sample is kept by one cache per node (PostgreSQL's here; SQLite's in <see cref="SqliteTrigramSampleTests"/>): searches never load it themselves once there is one, an
/// old one is reloaded once in the background whatever the number of searches, and a failed reload keeps the old one.
/// The reload here is held by a gate the test opens: a search that waited for it could not finish before.
/// </summary>
public sealed class TrigramSampleCacheTests(PostgresSearchApp app, ITestOutputHelper output) : IClassFixture<PostgresSearchApp>
{
    private const int Searches = 8;

    [Fact]
    public async Task Concurrent_searches_on_an_old_sample_start_one_reload_and_none_waits_for_it()
    {
        var (serverId, _, _) = await SeedAsync();
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var reloadMayFinish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cache = new TrigramSampleCache<PostgresTrigramSample>(async cancellationToken =>
        {
            var sample = await LoadAsync(cancellationToken);
            if (Volatile.Read(ref _firstLoadDone))
                await reloadMayFinish.Task.WaitAsync(cancellationToken);
            Volatile.Write(ref _firstLoadDone, true);
            return sample;
        }, clock, NullLogger.Instance, CancellationToken.None);

        // The first searches of a node wait for the sample, all for the same load.
        var first = await Task.WhenAll(Enumerable.Range(0, Searches).Select(_ => SearchAsync(cache, serverId, "corlenmorzu")));
        Assert.All(first, r => Assert.Equal(3, r.Total));
        Assert.Equal(1, cache.Loads);
        var loaded = await cache.GetAsync(default);
        Assert.NotNull(loaded);

        // Old now (a small sample lives SmallSampleLifetime): every search starts from it, one reload starts.
        clock.Advance(TrigramSampleCache.SmallSampleLifetime);
        var clockTime = Stopwatch.StartNew();
        var during = await Task.WhenAll(Enumerable.Range(0, Searches).Select(_ => SearchAsync(cache, serverId, "corlenmorzu")));
        var searchesTook = clockTime.Elapsed;
        Assert.All(during, r => Assert.Equal(first[0].Hits.Select(h => h.MessageId), r.Hits.Select(h => h.MessageId)));
        Assert.All(during, r => Assert.Equal(3, r.Total));
        Assert.False(cache.Loading.IsCompleted, "the reload is held until the searches are done, and they were done without it");
        Assert.Equal(2, cache.Loads);
        Assert.Same(loaded, await cache.GetAsync(default));

        reloadMayFinish.SetResult();
        await cache.Loading;
        Assert.NotSame(loaded, await cache.GetAsync(default));
        await SearchAsync(cache, serverId, "corlenmorzu");
        Assert.Equal(2, cache.Loads);
        output.WriteLine($"{Searches} concurrent searches on an old sample: {searchesTook.TotalMilliseconds:F0} ms together, the reload held meanwhile; 2 loads in all");
    }

    [Fact]
    public async Task A_failed_reload_keeps_the_old_sample_fails_no_search_and_is_tried_again_later()
    {
        var (serverId, _, _) = await SeedAsync();
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var databaseDown = false;
        var cache = new TrigramSampleCache<PostgresTrigramSample>(
            cancellationToken => Volatile.Read(ref databaseDown) ? LoadFromNowhereAsync(cancellationToken) : LoadAsync(cancellationToken),
            clock, NullLogger.Instance, CancellationToken.None);
        await SearchAsync(cache, serverId, "corlenmorzu");
        var loaded = await cache.GetAsync(default);
        Assert.NotNull(loaded);

        Volatile.Write(ref databaseDown, true);
        clock.Advance(TrigramSampleCache.SmallSampleLifetime);
        Assert.Equal(3, (await SearchAsync(cache, serverId, "corlenmorzu")).Total);
        var reload = cache.Loading;
        await reload;
        Assert.True(reload.IsCompletedSuccessfully, "a failed reload leaves no faulted task behind");
        Assert.Equal(2, cache.Loads);
        Assert.Same(loaded, await cache.GetAsync(default));
        Assert.Equal(3, (await SearchAsync(cache, serverId, "corlenmorzu")).Total);
        Assert.Equal(2, cache.Loads);

        // Tried again by a search after the retry delay; with the database back, a new sample.
        Volatile.Write(ref databaseDown, false);
        clock.Advance(TrigramSampleCache.RetryDelay);
        Assert.Equal(3, (await SearchAsync(cache, serverId, "corlenmorzu")).Total);
        await cache.Loading;
        Assert.Equal(3, cache.Loads);
        Assert.NotSame(loaded, await cache.GetAsync(default));
    }

    [Fact]
    public async Task A_stopping_node_loads_no_sample_and_its_searches_read_every_trigram()
    {
        var (serverId, _, _) = await SeedAsync();
        var cache = new TrigramSampleCache<PostgresTrigramSample>(LoadAsync, TimeProvider.System, NullLogger.Instance, new CancellationToken(canceled: true));
        Assert.Equal(3, (await SearchAsync(cache, serverId, "corlenmorzu")).Total);
        Assert.Null(await cache.GetAsync(default));
        Assert.Equal(0, cache.Loads);
    }

    [Fact]
    public async Task The_node_registers_one_cache_that_loads_with_its_own_context()
    {
        var samples = app.Services.GetRequiredService<TrigramSamples>();
        Assert.Same(samples, app.Services.GetRequiredService<TrigramSamples>());
        await app.SeedServerWithChannelAsync();
        Assert.NotNull(await samples.Postgres.GetAsync(default));
    }

    private bool _firstLoadDone;

    /// <summary>Common syllables everywhere, the word itself in three messages (one inside a longer word).</summary>
    private async Task<(Snowflake ServerId, Snowflake ChannelId, TestUser Owner)> SeedAsync()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        await app.SeedMessagesAsync(channelId, owner, 40, i => $"corlen {i} morzu talk");
        foreach (var text in new[] { "corlenmorzu", "a xcorlenmorzuy here", "CORLENMORZU!", "corlen morzu" })
            await owner.Client.SendOkAsync(channelId, text);
        return (serverId, channelId, owner);
    }

    private async Task<PostgresTrigramSample> LoadAsync(CancellationToken cancellationToken)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var sample = await PostgresTrigramSample.LoadAsync(db, cancellationToken);
        await db.Database.CloseConnectionAsync();
        return sample;
    }

    /// <summary>A database that is down: the same settings on a port of this test's range where nothing listens.</summary>
    private async Task<PostgresTrigramSample> LoadFromNowhereAsync(CancellationToken cancellationToken)
    {
        var settings = new NpgsqlConnectionStringBuilder(app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString)
        {
            Host = "127.0.0.1", Port = 5339, Timeout = 2, Pooling = false,
        };
        await using var db = new PostgresKamaDbContext(new DbContextOptionsBuilder<PostgresKamaDbContext>().UseNpgsql(settings.ConnectionString).Options);
        return await PostgresTrigramSample.LoadAsync(db, cancellationToken);
    }

    /// <summary>A search through the service, as the endpoint makes it (its own scope), with the cache given.</summary>
    private async Task<SearchResults> SearchAsync(TrigramSampleCache<PostgresTrigramSample> cache, Snowflake serverId, string q)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var channelIds = await db.Channels.Where(c => c.ServerId == serverId).Select(c => c.Id).ToListAsync();
        var search = new MessageSearch(db, scope.ServiceProvider.GetRequiredService<ILookupNormalizer>(),
            Options.Create(new SearchOptions { FilterDrivenLimit = 0 }), new TrigramSamples(cache, app.Services.GetRequiredService<TrigramSamples>().Sqlite));
        return await search.SearchAsync(SearchQueryParser.Parse(q).Query, channelIds, SearchSort.Newest, 0, 25, default);
    }
}
