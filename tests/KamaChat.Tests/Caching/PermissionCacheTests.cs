using System.Net;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Infrastructure.Caching;
using KamaChat.Tests.Infrastructure;
using KamaChat.Server.Features.Permissions;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Caching;

/// <summary>Every event type is a decision for the cache: it drops what it changes, or it is listed as changing nothing cached.</summary>
public sealed class CacheInvalidationMappingTests
{
    [Fact]
    public void Every_event_type_says_which_cached_entries_it_drops()
    {
        var defined = EventCatalog.All.Select(e => e.Name).ToHashSet();
        Assert.Empty(defined.Except(CacheInvalidation.Mapped).Order()); // a new event type must be mapped in CacheInvalidation
        Assert.Empty(CacheInvalidation.Mapped.Except(defined).Order()); // and nothing mapped that no longer exists
    }

    [Fact]
    public void An_event_this_node_cannot_read_drops_everything()
    {
        var unknown = new EventLogEntry { Type = "SomethingNewer", Payload = "{}" };
        Assert.Equal([CacheTags.All], CacheInvalidation.TagsOf(unknown));
        var unreadable = new EventLogEntry { Type = "MemberUpdated", ScopeId = new Snowflake(1), Payload = "{\"nickname\":\"no user id\"}" };
        Assert.Equal([CacheTags.All], CacheInvalidation.TagsOf(unreadable));
    }
}

/// <summary>On one node: a change is enforced on the very next request, and a warm cache saves the permission reads of a send.</summary>
public abstract class PermissionCacheTests(KamaChatApp app)
{
    private async Task<(TestUser Owner, TestUser Member, Snowflake ServerId, Snowflake ChannelId)> ServerWithMemberAsync()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);
        var channel = await owner.CreateChannelAsync(server.Id, "cached");
        return (owner, member, server.Id, channel.Id);
    }

    [Fact]
    public async Task A_revoked_permission_is_refused_on_the_very_next_request()
    {
        var (owner, member, serverId, channelId) = await ServerWithMemberAsync();
        await member.Client.SendOkAsync(channelId, "allowed");
        await member.Client.SendOkAsync(channelId, "allowed, from the cache");

        await (await owner.Client.SendJsonAsync(HttpMethod.Put, $"/api/v1/channels/{channelId}/permissions/member/{member.Id}",
            new { allow = "0", deny = P.SendMessages.Text() })).ReadAsync<object>();
        await (await member.Client.SendMessageAsync(channelId, "refused")).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");

        // A role's permission taken away: the role's server-wide entry goes.
        var role = await owner.CreateRoleAsync(serverId, "speakers", P.SendMessages);
        (await owner.Client.DeleteAsync($"/api/v1/channels/{channelId}/permissions/member/{member.Id}")).EnsureSuccessStatusCode();
        var other = await owner.CreateChannelAsync(serverId, "other");
        await (await owner.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v1/servers/{serverId}/roles/{serverId}",
            new { permissions = (P.DefaultEveryone & ~P.SendMessages).Text() })).ReadAsync<object>();
        await (await member.Client.SendMessageAsync(other.Id, "refused")).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await owner.AssignRoleAsync(serverId, member, role.Id);
        await member.Client.SendOkAsync(other.Id, "allowed by the role");
        (await owner.Client.DeleteAsync($"/api/v1/servers/{serverId}/roles/{role.Id}")).EnsureSuccessStatusCode();
        await (await member.Client.SendMessageAsync(other.Id, "refused again")).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");

        // Kicked: the server and its channels disappear at once.
        (await owner.Client.DeleteAsync($"/api/v1/servers/{serverId}/members/{member.Id}")).EnsureSuccessStatusCode();
        await (await member.Client.GetAsync($"/api/v1/channels/{channelId}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_send_with_a_warm_cache_reads_less_from_the_database()
    {
        var (_, member, _, channelId) = await ServerWithMemberAsync();
        // Cold: every command, the cache's loads included (they run outside the request's flow). Warm: the request's own,
        // which is all of them once nothing is loaded; the app's background work cannot add to it by chance.
        var cold = await DatabaseCommands.CountAsync(app, () => member.Client.SendOkAsync(channelId, "cold"), everything: true);
        var warm = await DatabaseCommands.CountAsync(app, () => member.Client.SendOkAsync(channelId, "warm"));
        // Cold: the channel, its overwrites, the membership, the member's roles and the author (the server and its roles
        // are already cached from the owner making the channel); warm: none of those.
        Assert.True(warm <= cold - 5, $"{warm} commands with a warm cache, {cold} cold");
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqlitePermissionCacheTests(SqliteApp app) : PermissionCacheTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresPermissionCacheTests(PostgresApp app) : PermissionCacheTests(app), IClassFixture<PostgresApp>;
