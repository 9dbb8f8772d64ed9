using System.Net;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Messages;
using KamaChat.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Messages;

/// <summary>
/// On SQLite a history page's statements are prepared once on a long-lived read connection and reused by the pages
/// after it (<see cref="SqlitePreparedStatements"/>), and a reused statement runs with its own request's values only.
/// </summary>
[Trait("Provider", "sqlite")]
public sealed class SqlitePreparedHistoryTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task A_history_page_prepares_its_statements_once_and_later_pages_reuse_them()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var all = await app.SeedMessagesAsync(channelId, owner, 120);
        var reply = await owner.Client.SendOkAsync(channelId, "a reply", replyTo: all[^1]);
        all = [.. all, reply.Id, (await owner.Client.SendOkAsync(channelId, "the newest")).Id];
        await using var own = new OwnStatements(app);
        var links = app.Services.GetRequiredService<AttachmentLinks>();

        // The newest page: its rows and its parts (reactions, attachments, the message replied to), each prepared.
        var page = await MessageQueries.LoadNewestAsync(own.Db, links, channelId, null, 20, owner.Id, default);
        Assert.Equal(all.TakeLast(20).Reverse(), page.Select(m => m.Id));
        Assert.Equal((2, 0), (own.Statements.Prepared, own.Statements.Reused));

        // Older pages, other ids and no reply on them: the rows before a cursor are one more statement, and the parts
        // without replies one more; the second older page prepares nothing, though its ids are all different.
        page = await MessageQueries.LoadNewestAsync(own.Db, links, channelId, all[^21], 20, owner.Id, default);
        Assert.Equal(all.SkipLast(21).TakeLast(20).Reverse(), page.Select(m => m.Id));
        Assert.Equal((4, 0), (own.Statements.Prepared, own.Statements.Reused));
        page = await MessageQueries.LoadNewestAsync(own.Db, links, channelId, all[^41], 20, owner.Id, default);
        Assert.Equal(all.SkipLast(41).TakeLast(20).Reverse(), page.Select(m => m.Id));
        Assert.Equal((4, 2), (own.Statements.Prepared, own.Statements.Reused));

        // Pages read one after another lease the same connection: one open, not one per page.
        Assert.Equal(1, own.Statements.Connections);
    }

    [Fact]
    public async Task A_reused_statement_shows_each_viewer_their_own_reactions()
    {
        var member = await app.UserAsync();
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync(member);
        var message = await owner.Client.SendOkAsync(channelId, "react to me");
        foreach (var (user, emoji) in new[] { (owner, "👍"), (member, "🎉") })
            Assert.Equal(HttpStatusCode.NoContent, (await user.Client.PutAsync(ChatApi.Reactions(channelId, message.Id, emoji) + "/@me", null)).StatusCode);
        var statements = app.Services.GetRequiredService<SqlitePreparedStatements>();

        var reusedBefore = statements.Reused;
        for (var round = 0; round < 3; round++)
        {
            foreach (var (viewer, own) in new[] { (owner, "👍"), (member, "🎉") })
            {
                var page = await (await viewer.Client.GetAsync($"/api/v1/channels/{channelId}/messages")).ReadAsync<List<MessageResponse>>();
                var reactions = Assert.Single(page).Reactions;
                Assert.Equal([new ReactionSummary("🎉", 1, own == "🎉"), new ReactionSummary("👍", 1, own == "👍")], reactions);
            }
        }
        // The pages after the first ran on statements prepared for another viewer's page.
        Assert.True(statements.Reused - reusedBefore >= 5 * 2, $"reused {statements.Reused - reusedBefore}");
    }

    [Fact]
    public async Task A_reused_statement_never_runs_with_a_value_bound_for_the_previous_command()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        await app.SeedMessagesAsync(channelId, owner, 3);
        await using var own = new OwnStatements(app);
        await own.Db.Database.OpenConnectionAsync();
        var sql = "-- prepared\nSELECT COUNT(*) FROM messages WHERE \"ChannelId\" = @channel";

        await using (var first = (SqliteCommand)own.Db.Database.GetDbConnection().CreateCommand())
        {
            first.CommandText = sql;
            first.Parameters.AddWithValue("channel", channelId.Value);
            await using var reader = own.Statements.TryExecute(first);
            Assert.NotNull(reader);
            Assert.True(await reader.ReadAsync());
            Assert.Equal(3, reader.GetInt64(0));
        }

        // The same text without its parameter: the prepared statement still holds the first command's value in SQLite,
        // and must refuse to run rather than count the first channel's messages.
        await using var second = (SqliteCommand)own.Db.Database.GetDbConnection().CreateCommand();
        second.CommandText = sql;
        Assert.Throws<InvalidOperationException>(() => own.Statements.TryExecute(second));
        Assert.Equal((1, 1), (own.Statements.Prepared, own.Statements.Reused));
    }
}
