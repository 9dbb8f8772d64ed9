using KamaChat.Server.Data;
using KamaChat.Server.Features.Audit;
using KamaChat.Tests.Infrastructure;
using KamaChat.Tests.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Gateway;

/// <summary>
/// MemberRoleGrantPositions gives the grants from before it the id of the audit log entry that recorded them (each
/// provider's SQL reads the entry's JSON changes), so their roles' mentions count from there; a grant the log no longer
/// has stays 0, counted from the join or read position as before.
/// </summary>
public abstract class GrantPositionMigrationTests(KamaChatApp app)
{
    [Fact]
    public async Task Grants_from_before_the_migration_take_the_id_of_their_latest_audit_entry_or_0_without_one()
    {
        var (owner, member, other) = (await app.UserAsync(), await app.UserAsync(), await app.UserAsync());
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);
        await other.JoinAsync(owner, server.Id);
        var crew = (await owner.CreateRoleAsync(server.Id, "crew", P.None)).Id;
        await owner.AssignRoleAsync(server.Id, member, crew);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/{member.Id}/roles/{crew}")).StatusCode);
        await owner.AssignRoleAsync(server.Id, member, crew);
        await owner.AssignRoleAsync(server.Id, other, crew);
        // Given without an audit entry, as a grant older than the log's 90 days is.
        var unlogged = await app.SeedRoleAsync(server.Id, P.None, member);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var entries = await db.AuditLog.Where(e => e.ServerId == server.Id && e.Action == AuditActions.MemberRoleUpdate).OrderBy(e => e.Id)
            .Select(e => new { e.Id, e.TargetId }).ToListAsync();
        var (previous, migration) = SearchMigrations.Around(db, "MemberRoleGrantPositions");

        await db.GetService<IMigrator>().MigrateAsync(previous);
        await db.GetService<IMigrator>().MigrateAsync(migration);

        var grants = await db.MemberRoles.Where(g => g.ServerId == server.Id).ToDictionaryAsync(g => (g.UserId, g.RoleId), g => g.GrantPosition);
        Assert.Equal(entries.Last(e => e.TargetId == member.Id).Id, grants[(member.Id, crew)]);
        Assert.Equal(entries.Last(e => e.TargetId == other.Id).Id, grants[(other.Id, crew)]);
        Assert.Equal(default, grants[(member.Id, unlogged)]);
        Assert.Equal(3, grants.Count);
        await db.GetService<IMigrator>().MigrateAsync(db.Database.GetMigrations().Last());
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteGrantPositionMigrationTests(SqliteApp app) : GrantPositionMigrationTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresGrantPositionMigrationTests(PostgresApp app) : GrantPositionMigrationTests(app), IClassFixture<PostgresApp>;
