using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Servers;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Tests.Servers;

public abstract class InviteTests(KamaChatApp app)
{
    [Fact]
    public async Task Anyone_signed_in_can_preview_an_invite_and_joining_makes_them_a_member()
    {
        var owner = await app.UserAsync();
        var guest = await app.UserAsync();
        var server = await owner.CreateServerAsync("Preview me");
        var invite = await owner.InviteAsync(server.Id, maxUses: 5, maxAgeSeconds: 3600);
        Assert.Equal(Invite.CodeLength, invite.Code.Length);
        Assert.Matches("^[A-Za-z0-9_-]+$", invite.Code);

        var preview = await (await guest.Client.GetAsync($"/api/v1/invites/{invite.Code}")).ReadAsync<InvitePreviewResponse>();
        Assert.Equal((server.Id, "Preview me", 1), (preview.ServerId, preview.ServerName, preview.MemberCount));
        Assert.NotNull(preview.ExpiresAt);
        await (await guest.Client.GetAsync($"/api/v1/servers/{server.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");

        var joined = await (await guest.Client.PostAsync($"/api/v1/invites/{invite.Code}/join", null)).ReadAsync<ServerResponse>();
        Assert.Equal(2, joined.MemberCount);
        var again = await (await guest.Client.PostAsync($"/api/v1/invites/{invite.Code}/join", null)).ReadAsync<ServerResponse>();
        Assert.Equal(server.Id, again.Id);

        Assert.Equal(1, await app.QueryAsync(db => db.Invites.Where(i => i.Code == invite.Code).Select(i => i.Uses).SingleAsync()));
        Assert.Equal("MemberJoined", (await app.EventTypesAsync(EventScope.Server, server.Id))[^1]);
        Assert.Equal("ServerJoined", (await app.EventTypesAsync(EventScope.User, guest.Id))[^1]);
    }

    [Fact]
    public async Task Two_concurrent_joins_on_a_one_use_invite_let_exactly_one_in()
    {
        var owner = await app.UserAsync();
        var first = await app.UserAsync();
        var second = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        var invite = await owner.InviteAsync(server.Id, maxUses: 1);

        var responses = await Task.WhenAll(first.Client.PostAsync($"/api/v1/invites/{invite.Code}/join", null),
            second.Client.PostAsync($"/api/v1/invites/{invite.Code}/join", null));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        await responses.Single(r => r.StatusCode != HttpStatusCode.OK).AssertProblemAsync(HttpStatusCode.Gone, "invite_exhausted");
        Assert.Equal(1, await app.QueryAsync(db => db.Invites.Where(i => i.Code == invite.Code).Select(i => i.Uses).SingleAsync()));
        Assert.Equal(2, await app.QueryAsync(db => db.Members.CountAsync(m => m.ServerId == server.Id)));
    }

    [Fact]
    public async Task Expired_revoked_and_unknown_invites_are_refused_with_their_own_codes()
    {
        var owner = await app.UserAsync();
        var guest = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        var expiring = await owner.InviteAsync(server.Id, maxAgeSeconds: 60);
        var revoked = await owner.InviteAsync(server.Id);
        await app.QueryAsync(db => db.Invites.Where(i => i.Code == expiring.Code)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(-1))));
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/invites/{revoked.Code}")).StatusCode);
        var before = await app.SnapshotAsync();

        await (await guest.Client.GetAsync($"/api/v1/invites/{expiring.Code}")).AssertProblemAsync(HttpStatusCode.Gone, "invite_expired");
        await (await guest.Client.PostAsync($"/api/v1/invites/{expiring.Code}/join", null)).AssertProblemAsync(HttpStatusCode.Gone, "invite_expired");
        await (await guest.Client.GetAsync($"/api/v1/invites/{revoked.Code}")).AssertProblemAsync(HttpStatusCode.Gone, "invite_revoked");
        await (await guest.Client.PostAsync($"/api/v1/invites/{revoked.Code}/join", null)).AssertProblemAsync(HttpStatusCode.Gone, "invite_revoked");
        await (await guest.Client.GetAsync("/api/v1/invites/NoSuchCode")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await guest.Client.PostAsync("/api/v1/invites/NoSuchCode/join", null)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task Revoking_is_for_the_creator_or_manage_server_and_listing_needs_manage_server()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var stranger = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);
        var ownersInvite = await owner.InviteAsync(server.Id);
        var membersInvite = await member.InviteAsync(server.Id);
        var before = await app.SnapshotAsync();

        await (await member.Client.DeleteAsync($"/api/v1/invites/{ownersInvite.Code}")).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await (await stranger.Client.DeleteAsync($"/api/v1/invites/{ownersInvite.Code}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await member.Client.GetAsync($"/api/v1/servers/{server.Id}/invites")).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        Assert.Equal(before, await app.SnapshotAsync());

        var listed = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/invites")).ReadAsync<List<InviteResponse>>();
        Assert.Contains(listed, i => i.Code == membersInvite.Code);
        Assert.Equal(HttpStatusCode.NoContent, (await member.Client.DeleteAsync($"/api/v1/invites/{membersInvite.Code}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/invites/{ownersInvite.Code}")).StatusCode);
        Assert.Equal("InviteDeleted", (await app.EventTypesAsync(EventScope.Server, server.Id))[^1]);
    }

    [Theory]
    [InlineData(101, 0)]
    [InlineData(-1, 0)]
    [InlineData(0, 604801)]
    [InlineData(0, -1)]
    public async Task Out_of_range_invite_settings_are_refused(int maxUses, int maxAgeSeconds)
    {
        var owner = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        var before = await app.SnapshotAsync();
        await (await owner.Client.PostAsJsonAsync($"/api/v1/servers/{server.Id}/invites", new { maxUses, maxAgeSeconds, temporary = false }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task A_member_without_create_invite_cannot_make_one()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);
        await (await owner.Client.PatchAsJsonAsync($"/api/v1/servers/{server.Id}/roles/{server.Id}", new { permissions = "1024" })).ReadAsync<RoleResponse>();
        var before = await app.SnapshotAsync();

        await (await member.Client.PostAsJsonAsync($"/api/v1/servers/{server.Id}/invites", new { maxUses = 0, maxAgeSeconds = 0, temporary = false }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        Assert.Equal(before, await app.SnapshotAsync());
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteInviteTests(SqliteApp app) : InviteTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresInviteTests(PostgresApp app) : InviteTests(app), IClassFixture<PostgresApp>;
