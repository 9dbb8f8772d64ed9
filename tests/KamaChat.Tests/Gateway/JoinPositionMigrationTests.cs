using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Data;
using KamaChat.Server.Features.DirectMessages;
using KamaChat.Tests.Infrastructure;
using KamaChat.Tests.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Gateway;

/// <summary>
/// MemberJoinPositions gives the memberships and group DM recipients from before it the smallest id of the millisecond
/// they joined in (each provider's SQL reads JoinedAt as that provider stores it), so their mention counts start there.
/// </summary>
public abstract class JoinPositionMigrationTests(KamaChatApp app)
{
    /// <summary>The offset a join time is stored with: SQLite's integer keeps any; PostgreSQL takes UTC only.</summary>
    protected virtual TimeSpan JoinOffset => TimeSpan.Zero;

    [Fact]
    public async Task Memberships_and_recipients_from_before_the_migration_take_the_first_id_of_their_join()
    {
        var (member, friend) = (await app.UserAsync(), await app.UserAsync());
        var (serverId, _, owner) = await app.SeedServerWithChannelAsync(member);
        var group = (await (await owner.Client.PostAsJsonAsync("/api/v1/users/@me/group-channels", new { recipientIds = new[] { friend.Id } }))
            .ReadAsync<DmChannelResponse>(HttpStatusCode.Created)).Id;
        // With milliseconds (and on SQLite not UTC): the fraction and the offset are where a conversion would go wrong.
        var joined = new DateTimeOffset(2026, 3, 4, 5, 6, 7, 89, JoinOffset);
        var beforeTheIds = new DateTimeOffset(2024, 12, 31, 23, 0, 0, TimeSpan.Zero);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        await db.Members.Where(m => m.ServerId == serverId && m.UserId == member.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.JoinedAt, joined));
        await db.Members.Where(m => m.ServerId == serverId && m.UserId == owner.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.JoinedAt, beforeTheIds));
        await db.ChannelRecipients.Where(r => r.ChannelId == group && r.UserId == friend.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.JoinedAt, joined));
        var (previous, migration) = SearchMigrations.Around(db, "MemberJoinPositions");

        await db.GetService<IMigrator>().MigrateAsync(previous);
        await db.GetService<IMigrator>().MigrateAsync(migration);

        var expected = SnowflakeGenerator.MinimumIdAt(joined);
        Assert.Equal(expected, await db.Members.Where(m => m.ServerId == serverId && m.UserId == member.Id).Select(m => m.JoinPosition).SingleAsync());
        Assert.Equal(expected, await db.ChannelRecipients.Where(r => r.ChannelId == group && r.UserId == friend.Id).Select(r => r.JoinPosition).SingleAsync());
        Assert.Equal(default, await db.Members.Where(m => m.ServerId == serverId && m.UserId == owner.Id).Select(m => m.JoinPosition).SingleAsync());
        await db.GetService<IMigrator>().MigrateAsync(db.Database.GetMigrations().Last());
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteJoinPositionMigrationTests(SqliteApp app) : JoinPositionMigrationTests(app), IClassFixture<SqliteApp>
{
    protected override TimeSpan JoinOffset => TimeSpan.FromHours(2);
}

[Trait("Provider", "postgres")]
public sealed class PostgresJoinPositionMigrationTests(PostgresApp app) : JoinPositionMigrationTests(app), IClassFixture<PostgresApp>;
