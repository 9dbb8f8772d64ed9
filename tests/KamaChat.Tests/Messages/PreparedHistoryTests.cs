using System.Net;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Messages;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace KamaChat.Tests.Messages;

/// <summary>
/// On PostgreSQL a history page's commands are prepared statements (parsed and planned once per connection), and
/// when the database drops every connection (a restart, a failover) the new connections prepare them again.
/// </summary>
[Trait("Provider", "postgres")]
public sealed class PreparedHistoryTests(PostgresApp app) : IClassFixture<PostgresApp>
{
    [Fact]
    public async Task History_pages_are_prepared_and_prepared_again_after_the_database_drops_its_connections()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var all = await app.SeedMessagesAsync(channelId, owner, 60);
        var newest = all.TakeLast(50).Reverse().ToList();

        AssertPrepared(await PreparedAfterAPageAsync(channelId, owner.Id, newest));

        var database = new NpgsqlConnectionStringBuilder(app.DatabaseUrl).Database!;
        await using (var admin = new NpgsqlConnection(await PostgresServer.AdminConnectionStringAsync()))
        {
            await admin.OpenAsync();
            await using var terminate = new NpgsqlCommand(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @database AND pid <> pg_backend_pid()", admin);
            terminate.Parameters.AddWithValue("database", database);
            await terminate.ExecuteNonQueryAsync();
        }

        // The node finds its pooled connections dead one by one; once it has a live one, pages are whole again.
        List<MessageResponse>? page = null;
        for (var attempt = 0; attempt < 100 && page is null; attempt++)
        {
            using var response = await owner.Client.GetAsync($"/api/v1/channels/{channelId}/messages");
            if (response.StatusCode == HttpStatusCode.OK)
                page = await response.ReadAsync<List<MessageResponse>>();
        }
        Assert.Equal(newest, page?.Select(m => m.Id));
        AssertPrepared(await PreparedAfterAPageAsync(channelId, owner.Id, newest));
    }

    /// <summary>
    /// In a long channel PostgreSQL keeps the page statement's generic plan once it has made its five custom ones, rather
    /// than planning the statement anew for every page: with the page's size a parameter (<c>LIMIT $1</c>) it costed the
    /// generic plan as reading a tenth of the channel and never chose it.
    /// </summary>
    [Fact]
    public async Task A_long_channels_page_statement_keeps_its_generic_plan()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        await app.SeedMessagesAsync(channelId, owner, 5000);
        await app.WriteDirectAsync(db => db.Database.ExecuteSqlRawAsync("ANALYZE messages"));

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var links = scope.ServiceProvider.GetRequiredService<AttachmentLinks>();
        await db.Database.OpenConnectionAsync();
        try
        {
            for (var i = 0; i < 10; i++)
                Assert.Equal(50, (await MessageQueries.LoadNewestAsync(db, links, channelId, null, 50, owner.Id, default)).Count);
            const string page = """FROM pg_prepared_statements WHERE statement LIKE '%WITH page AS%' AND statement LIKE '%DESC%LIMIT 50)%' AND statement NOT LIKE '%"Id" <%'""";
            var custom = await db.Database.SqlQueryRaw<long>($"""SELECT custom_plans AS "Value" {page}""").SingleAsync();
            var generic = await db.Database.SqlQueryRaw<long>($"""SELECT generic_plans AS "Value" {page}""").SingleAsync();
            Assert.True(custom <= 5 && generic >= 5, $"{custom} custom plans and {generic} generic ones for 10 pages");
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static void AssertPrepared(List<string> statements)
    {
        // One statement reads the page's rows and their parts (reactions among them).
        Assert.Contains(statements, s => s.StartsWith("-- " + PreparedStatements.Tag, StringComparison.Ordinal)
            && s.Contains("FROM messages", StringComparison.Ordinal) && s.Contains("FROM reactions", StringComparison.Ordinal));
    }

    /// <summary>Reads a page on one connection of the node's pool, then asks PostgreSQL what that connection has prepared.</summary>
    private async Task<List<string>> PreparedAfterAPageAsync(Snowflake channelId, Snowflake viewerId, List<Snowflake> expected)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
            try
            {
                await db.Database.OpenConnectionAsync();
                var page = await MessageQueries.LoadNewestAsync(db, scope.ServiceProvider.GetRequiredService<AttachmentLinks>(), channelId, null, 50, viewerId, default);
                Assert.Equal(expected, page.Select(m => m.Id));
                return await db.Database.SqlQueryRaw<string>("""SELECT statement AS "Value" FROM pg_prepared_statements""").ToListAsync();
            }
            catch (NpgsqlException) when (attempt < 50)
            {
                // A pooled connection the database dropped: the next one is tried.
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }
}
