using System.Net;
using KamaChat.Server.Features.Messages;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Messages;

public abstract class MessageHistoryTests(KamaChatApp app)
{

    [Fact]
    public async Task History_pages_through_250_messages_without_duplicates_or_gaps()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var all = await app.SeedMessagesAsync(channelId, owner, 250); // oldest first

        // Backwards with before, newest first.
        var seen = new List<Snowflake>();
        Snowflake? cursor = null;
        while (true)
        {
            var url = $"/api/v1/channels/{channelId}/messages?limit=100" + (cursor is null ? "" : $"&before={cursor}");
            var page = await (await owner.Client.GetAsync(url)).ReadAsync<List<MessageResponse>>();
            if (page.Count == 0)
                break;
            Assert.Equal(page.Select(m => m.Id).OrderByDescending(i => i), page.Select(m => m.Id));
            seen.AddRange(page.Select(m => m.Id));
            cursor = page[^1].Id;
        }
        Assert.Equal(all.AsEnumerable().Reverse(), seen);

        // Forwards with after: each page holds the next oldest messages, newest first.
        var forward = new List<Snowflake>();
        cursor = default(Snowflake);
        while (true)
        {
            var page = await (await owner.Client.GetAsync($"/api/v1/channels/{channelId}/messages?limit=60&after={cursor}")).ReadAsync<List<MessageResponse>>();
            if (page.Count == 0)
                break;
            forward.AddRange(page.Select(m => m.Id).Reverse());
            cursor = page[0].Id;
        }
        Assert.Equal(all, forward);

        // Around: the message itself, half the page newer, the rest older, contiguous.
        var center = all[120];
        var around = await (await owner.Client.GetAsync($"/api/v1/channels/{channelId}/messages?around={center}&limit=50")).ReadAsync<List<MessageResponse>>();
        Assert.Equal(all.Skip(95).Take(50).Reverse(), around.Select(m => m.Id));

        var latest = await (await owner.Client.GetAsync($"/api/v1/channels/{channelId}/messages")).ReadAsync<List<MessageResponse>>();
        Assert.Equal(all.TakeLast(50).Reverse(), latest.Select(m => m.Id));
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=101")]
    [InlineData("before=5&after=3")]
    [InlineData("after=1&around=2")]
    public async Task Bad_history_queries_are_refused(string query)
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        await (await owner.Client.GetAsync($"/api/v1/channels/{channelId}/messages?{query}")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

}

[Trait("Provider", "sqlite")]
public sealed class SqliteMessageHistoryTests(SqliteApp app) : MessageHistoryTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresMessageHistoryTests(PostgresApp app) : MessageHistoryTests(app), IClassFixture<PostgresApp>;
