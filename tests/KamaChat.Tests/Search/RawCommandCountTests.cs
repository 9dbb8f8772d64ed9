using System.Data.Common;
using System.Diagnostics.Metrics;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Search;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KamaChat.Tests.Search;

/// <summary>
/// <c>kamachat.db.commands</c> counts the commands written by hand (<see cref="RawCommands"/>) as well as EF Core's: a
/// search's one-round-trip batch and a history page's parts batch, each as the statements it sends. Counted on a context
/// of the test's own, with a meter of its own, so the node's background work does not count.
/// </summary>
public sealed class RawCommandCountTests(PostgresSearchApp app) : IClassFixture<PostgresSearchApp>
{
    [Fact]
    public async Task A_search_counts_its_batch_as_the_statements_it_sends()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        await app.SeedMessagesAsync(channelId, owner, 20, i => i % 4 == 0 ? $"deploy {i}" : $"message {i}");
        await using var counted = new CountedContext(app);
        var channelIds = await counted.Db.Channels.Where(c => c.ServerId == serverId).Select(c => c.Id).ToListAsync();
        var cache = app.Services.GetRequiredService<TrigramSamples>();
        // The sample loads with the node's own context, not this one: loaded first, so the counts below are the search's own.
        await cache.Postgres.GetAsync(default);

        // Probing: the probe, the walk's and the index's statements, the count's settings and the count. Walking: its
        // settings, the walk, the count's settings and the count. The index: its settings and its list, counted here.
        // Each in one round trip; and EF Core's page of hits (channels and neighbours).
        foreach (var (plan, statements) in new[] { (SearchTextPlan.Auto, 5), (SearchTextPlan.Walk, 4), (SearchTextPlan.Index, 2) })
        {
            var search = new MessageSearch(counted.Db, new UpperInvariantLookupNormalizer(),
                Options.Create(new SearchOptions { FilterDrivenLimit = 0, TextPlan = plan }), cache);
            var (commands, efCommands) = await counted.DuringAsync(() =>
                search.SearchAsync(SearchQueryParser.Parse("deploy").Query, channelIds, SearchSort.Newest, 0, 25, default));
            Assert.Equal(1, efCommands);
            Assert.Equal((plan, efCommands + statements), (plan, commands));
        }
    }

    [Fact]
    public async Task A_history_page_is_one_statement_with_its_replies_and_mentions_in_it()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var ids = await app.SeedMessagesAsync(channelId, owner, 10);
        var reply = await owner.Client.SendOkAsync(channelId, "a reply", replyTo: ids[^1]);
        await owner.Client.SendOkAsync(channelId, $"hello <@{owner.Id}>");
        await using var counted = new CountedContext(app);
        var links = app.Services.GetRequiredService<AttachmentLinks>();

        // The rows and their parts (mentions, reactions, attachments, the messages replied to) in one statement written
        // by hand, none by EF Core: with plain messages only, and with a reply and a mention on the page.
        var (commands, efCommands) = await counted.DuringAsync(() => MessageQueries.LoadNewestAsync(counted.Db, links, channelId, ids[^2], 5, owner.Id, default));
        Assert.Equal((0, 1), (efCommands, commands));
        List<MessageResponse> page = [];
        (commands, efCommands) = await counted.DuringAsync(async () => page = await MessageQueries.LoadNewestAsync(counted.Db, links, channelId, null, 5, owner.Id, default));
        Assert.Equal((0, 1), (efCommands, commands));
        Assert.Equal([owner.Id], page[0].Mentions);
        Assert.Equal((ids[^1], owner.Id), (page[1].ReplyTo?.Id, page[1].ReplyTo?.AuthorId));
        Assert.Equal(reply.Id, page[1].Id);
    }

    /// <summary>A context on the app's database counted by a <see cref="DatabaseMetrics"/> of its own, and its EF Core commands apart.</summary>
    private sealed class CountedContext : IAsyncDisposable
    {
        private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        private readonly MeterListener _listener = new();
        private readonly EfCommands _efCommands = new();
        private long _commands;

        public CountedContext(KamaChatApp app)
        {
            var factory = _meters.GetRequiredService<IMeterFactory>();
            var connectionString = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString;
            Db = new PostgresKamaDbContext(new DbContextOptionsBuilder<PostgresKamaDbContext>()
                .UseNpgsql(connectionString).AddInterceptors(new DatabaseMetrics(factory), _efCommands).Options);
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Name == "kamachat.db.commands")
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _commands, value));
            _listener.Start();
        }

        public KamaDbContext Db { get; }

        /// <summary>What <paramref name="work"/> added: to the metric, and of that, the commands EF Core made.</summary>
        public async Task<(long Commands, long EfCommands)> DuringAsync<T>(Func<Task<T>> work)
        {
            var (before, efBefore) = (Interlocked.Read(ref _commands), _efCommands.Count);
            await work();
            return (Interlocked.Read(ref _commands) - before, _efCommands.Count - efBefore);
        }

        public async ValueTask DisposeAsync()
        {
            await Db.DisposeAsync();
            _listener.Dispose();
            await _meters.DisposeAsync();
        }
    }

    private sealed class EfCommands : DbCommandInterceptor
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public override DbCommand CommandCreated(CommandEndEventData eventData, DbCommand result)
        {
            Interlocked.Increment(ref _count);
            return result;
        }
    }
}
