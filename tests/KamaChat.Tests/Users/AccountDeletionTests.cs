using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.DirectMessages;
using KamaChat.Server.Features.Messages;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Tests.Users;

public abstract class AccountDeletionTests(KamaChatApp app)
{

    [Fact]
    public async Task A_wrong_password_is_refused_and_nothing_changes()
    {
        var user = await app.UserAsync();

        await (await user.Client.DeleteAsync("/api/v1/users/@me", new { password = "not my password" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "invalid_password");
        await (await user.Client.DeleteAsync("/api/v1/users/@me", new { }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/api/v1/users/@me")).StatusCode);
        Assert.Equal(user.Username, await app.QueryAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.UserName).SingleAsync()));
    }

    [Fact]
    public async Task An_owner_of_a_server_must_transfer_or_delete_it_first()
    {
        var owner = await app.UserAsync();
        await app.SeedServerAsync(owner);

        await (await owner.Client.DeleteAsync("/api/v1/users/@me", new { password = Api.GoodPassword }))
            .AssertProblemAsync(HttpStatusCode.Conflict, "owns_servers");
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync("/api/v1/users/@me")).StatusCode);
    }

    [Fact]
    public async Task Deleting_erases_personal_data_and_sessions_but_keeps_messages_under_a_tombstone()
    {
        var leaver = await app.UserAsync();
        var friend = await app.UserAsync();
        var other = await app.UserAsync();
        await leaver.Client.PatchAsJsonAsync("/api/v1/users/@me", new { displayName = "Leaver", bio = "bio", avatarUrl = "https://example.test/a.png", statusText = "hi" });
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync(leaver);
        await app.SeedRoleAsync(serverId, Server.Features.Permissions.Permissions.None, leaver);
        var message = await leaver.Client.SendOkAsync(channelId, "I was here");
        await leaver.Client.PutAsync(ChatApi.Reactions(channelId, message.Id, "👋") + "/@me", null);
        var dm = await (await leaver.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = friend.Id })).ReadAsync<DmChannelResponse>(HttpStatusCode.Created);
        var group = await (await leaver.Client.PostAsJsonAsync("/api/v1/users/@me/group-channels", new { recipientIds = new[] { friend.Id, other.Id } }))
            .ReadAsync<DmChannelResponse>(HttpStatusCode.Created);
        var secondSession = await (await app.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { login = leaver.Username, password = Api.GoodPassword }))
            .ReadAsync<Server.Features.Auth.AuthTokens>();

        Assert.Equal(HttpStatusCode.NoContent, (await leaver.Client.DeleteAsync("/api/v1/users/@me", new { password = Api.GoodPassword })).StatusCode);

        // Every token stops working and nobody can sign in as them.
        Assert.Equal(HttpStatusCode.Unauthorized, (await leaver.Client.GetAsync("/api/v1/users/@me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient(secondSession.AccessToken).GetAsync("/api/v1/users/@me")).StatusCode);
        await (await app.CreateClient().PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = secondSession.RefreshToken }))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
        foreach (var login in new[] { leaver.Username, $"{leaver.Username}@example.test", $"deleted_user_{leaver.Id}" })
            await (await app.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { login, password = Api.GoodPassword }))
                .AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        var row = await app.QueryAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == leaver.Id));
        Assert.Equal($"deleted_user_{leaver.Id}", row.UserName);
        Assert.Null(row.Email);
        Assert.Null(row.NormalizedEmail);
        Assert.Null(row.PasswordHash);
        Assert.Null(row.PhoneNumber);
        Assert.Equal("Deleted User", row.DisplayName);
        Assert.Null(row.Bio);
        Assert.Null(row.AvatarUrl);
        Assert.Null(row.StatusText);
        Assert.Equal(0, await app.QueryAsync(db => db.Sessions.CountAsync(s => s.UserId == leaver.Id)));
        Assert.Equal(0, await app.QueryAsync(db => db.Members.CountAsync(m => m.UserId == leaver.Id)));
        Assert.Equal(0, await app.QueryAsync(db => db.MemberRoles.CountAsync(m => m.UserId == leaver.Id)));
        Assert.Equal(0, await app.QueryAsync(db => db.ChannelRecipients.CountAsync(r => r.UserId == leaver.Id)));

        // The message stays, under the tombstone; so does the reaction.
        var kept = await (await owner.Client.GetAsync($"/api/v1/channels/{channelId}/messages/{message.Id}")).ReadAsync<MessageResponse>();
        Assert.Equal("I was here", kept.Content);
        Assert.Equal($"deleted_user_{leaver.Id}", kept.Author.Username);
        Assert.Equal("Deleted User", kept.Author.DisplayName);
        Assert.Null(kept.Author.AvatarUrl);
        Assert.Equal(1, Assert.Single(kept.Reactions).Count);

        // The group passes to the longest-standing member; the DM keeps its history for the friend.
        var friendsChannels = await (await friend.Client.GetAsync("/api/v1/users/@me/channels")).ReadAsync<List<DmChannelResponse>>();
        Assert.Equal(friend.Id, friendsChannels.Single(c => c.Id == group.Id).OwnerId);
        Assert.Equal([friend.Id], friendsChannels.Single(c => c.Id == dm.Id).Recipients.Select(r => r.Id));
        await (await friend.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = leaver.Id }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");

        // The name and address are free again.
        var reborn = await app.CreateClient().RegisterAsync(leaver.Username);
        Assert.NotEqual(leaver.Id, reborn.User.Id);
    }

    [Fact]
    public async Task Tombstone_names_cannot_be_registered()
    {
        var response = await app.CreateClient().PostAsJsonAsync("/api/v1/auth/register",
            new { email = "squatter@example.test", username = "Deleted_User_123", password = Api.GoodPassword });
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotEmpty(problem.FieldErrors("username"));
    }

}

[Trait("Provider", "sqlite")]
public sealed class SqliteAccountDeletionTests(SqliteApp app) : AccountDeletionTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresAccountDeletionTests(PostgresApp app) : AccountDeletionTests(app), IClassFixture<PostgresApp>;
