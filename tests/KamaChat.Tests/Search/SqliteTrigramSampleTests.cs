using KamaChat.Server.Data;
using KamaChat.Server.Features.Search;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

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
        var (messages, counts, _, _) = await SqliteSearchEngine.ProbeAsync(db, ["wbx", "qzv"], default);
        Assert.Equal(total, messages);
        Assert.Equal(90, counts["wbx"]);
        Assert.Equal(30, counts["qzv"]);
        Assert.Equal(30, (await owner.SearchServerAsync(serverId, ("q", "qzvel wbxnix"))).TotalResults);
    }
}
