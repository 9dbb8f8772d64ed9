using KamaChat.Server.Data;
using KamaChat.Server.Features.Events;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Events;

public abstract class EventLogTests(KamaChatApp app)
{
    [Fact]
    public async Task Each_stream_numbers_its_events_from_one_without_gaps_even_under_concurrency()
    {
        var channelId = new Snowflake(Random.Shared.NextInt64(1, long.MaxValue));
        var otherChannelId = new Snowflake(channelId.Value - 1);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var log = scope.ServiceProvider.GetRequiredService<EventLog>();
            await using var change = await log.BeginAsync(CancellationToken.None);
            await change.AppendAsync(new TestEvent(i % 2 == 0 ? channelId : otherChannelId, new { i }), CancellationToken.None);
            await change.CommitAsync(CancellationToken.None);
        }));

        var sequences = await app.QueryAsync(db => db.EventLog
            .Where(e => e.Scope == EventScope.Channel && e.ScopeId == channelId)
            .Select(e => e.Sequence).OrderBy(s => s).ToListAsync());
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), sequences);
    }

    [Fact]
    public async Task An_event_of_a_change_that_is_not_committed_is_neither_logged_nor_counted()
    {
        var channelId = new Snowflake(Random.Shared.NextInt64(1, long.MaxValue));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var log = scope.ServiceProvider.GetRequiredService<EventLog>();
            await using var change = await log.BeginAsync(CancellationToken.None);
            await change.AppendAsync(new TestEvent(channelId, new { }), CancellationToken.None);
            // Disposed without CommitAsync: the transaction rolls back.
        }

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var log = scope.ServiceProvider.GetRequiredService<EventLog>();
            await using var change = await log.BeginAsync(CancellationToken.None);
            var entry = await change.AppendAsync(new TestEvent(channelId, new { }), CancellationToken.None);
            await change.CommitAsync(CancellationToken.None);
            Assert.Equal(1, entry.Sequence);
        }
        Assert.Equal(1, await app.QueryAsync(db => db.EventLog.CountAsync(e => e.ScopeId == channelId)));
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteEventLogTests(SqliteApp app) : EventLogTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresEventLogTests(PostgresApp app) : EventLogTests(app), IClassFixture<PostgresApp>;
