using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Messages;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Messages;

/// <summary>
/// PostgreSQL keeps a cursor page's generic plan after five pages, made from statistics that say nothing about which
/// channel is asked for. Where they hold few channels (a small server; this class's database holds two), that plan must
/// still read the asked channel's index range, not scan the primary key back from the cursor filtering by channel: a
/// quiet channel's oldest page would then read every newer message of the busy one.
/// </summary>
[Trait("Provider", "postgres")]
public sealed class HistoryCursorPlanTests(PostgresApp app) : IClassFixture<PostgresApp>
{
    [Fact]
    public async Task A_quiet_channels_oldest_page_reads_its_own_index_range_under_the_generic_plan()
    {
        var (serverId, busy, owner) = await app.SeedServerWithChannelAsync();
        await app.SeedMessagesAsync(busy, owner, 3000);
        var quiet = await app.SeedTextChannelAsync(serverId, name: "quiet");
        var quietMessages = await app.SeedMessagesAsync(quiet, owner, 3);
        await app.WriteDirectAsync(db => db.Database.ExecuteSqlRawAsync("ANALYZE messages"));

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var links = scope.ServiceProvider.GetRequiredService<AttachmentLinks>();
        await db.Database.OpenConnectionAsync();
        try
        {
            // The plan every page gets once PostgreSQL keeps the generic one, from the first page on.
            await db.Database.ExecuteSqlRawAsync("SET plan_cache_mode = force_generic_plan");
            var older = await MessageQueries.LoadNewestAsync(db, links, quiet, quietMessages[^1], 50, owner.Id, default);
            Assert.Equal(quietMessages.Take(2).Reverse(), older.Select(m => m.Id));
            var newer = await MessageQueries.LoadAfterAsync(db, links, quiet, quietMessages[0], 50, owner.Id, default);
            Assert.Equal(quietMessages.Skip(1), newer.Select(m => m.Id));

            foreach (var (page, cursor) in new[] { ("LIKE '%DESC%LIMIT 50)%'", quietMessages[^1]), ("NOT LIKE '%DESC%LIMIT 50)%'", quietMessages[0]) })
            {
                var prepared = $"""SELECT name AS "Value" FROM pg_prepared_statements WHERE statement LIKE '%WITH page AS%' AND statement LIKE '%$3%' AND statement {page}""";
                var name = await db.Database.SqlQueryRaw<string>(prepared).SingleAsync();
                await using var explain = db.Database.GetDbConnection().CreateCommand();
                explain.CommandText = $"EXPLAIN (COSTS OFF) EXECUTE {name}({quiet.Value}, {owner.Id.Value}, {cursor.Value})";
                var plan = new List<string>();
                await using (var reader = await explain.ExecuteReaderAsync())
                    while (await reader.ReadAsync())
                        plan.Add(reader.GetString(0));
                var pageScan = plan.Single(line => line.Contains("on messages m", StringComparison.Ordinal));
                Assert.Contains("\"IX_messages_ChannelId_Id\"", pageScan, StringComparison.Ordinal);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
