using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.Servers;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Audit;

/// <summary>Timeouts, and kicks and bans with a reason: what the moderated member can still do and what they are told.</summary>
public abstract class TimeoutTests(KamaChatApp app)
{
    [Fact]
    public async Task A_timed_out_member_cannot_send_or_react_until_the_timeout_ends_and_is_told_until_when()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);
        var channel = await ModerationApi.GeneralChannelAsync(owner, server.Id);
        var message = await owner.Client.SendOkAsync(channel, "hello");
        var until = DateTimeOffset.UtcNow.AddMinutes(10);

        var timedOut = await (await owner.TimeOutAsync(server.Id, member, until, "calm down")).ReadAsync<MemberResponse>();
        Assert.Equal(until.ToUnixTimeMilliseconds(), timedOut.TimedOutUntil!.Value.ToUnixTimeMilliseconds());
        // The member sees it on their member object and in the event that told everyone.
        var seen = await (await member.Client.GetAsync($"/api/v1/servers/{server.Id}/members/{member.Id}")).ReadAsync<MemberResponse>();
        Assert.Equal(timedOut.TimedOutUntil, seen.TimedOutUntil);
        var updated = (await app.EventsAsync(EventScope.Server, server.Id)).Last(e => e.Type == "MemberUpdated");
        Assert.Equal(until.ToUnixTimeMilliseconds(),
            JsonDocument.Parse(updated.Payload).RootElement.GetProperty("timedOutUntil").GetDateTimeOffset().ToUnixTimeMilliseconds());

        var before = await app.SnapshotAsync();
        var refused = await (await member.Client.SendMessageAsync(channel, "let me speak")).AssertProblemAsync(HttpStatusCode.Forbidden, "timed_out");
        Assert.Equal(timedOut.TimedOutUntil!.Value.ToUnixTimeMilliseconds(), refused.GetProperty("timedOutUntil").GetDateTimeOffset().ToUnixTimeMilliseconds());
        await (await member.Client.PutAsync(ChatApi.Reactions(channel, message.Id, "👍") + "/@me", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "timed_out");
        Assert.Equal(before, await app.SnapshotAsync());
        // Reading goes on.
        Assert.Equal(HttpStatusCode.OK, (await member.Client.GetAsync($"/api/v1/channels/{channel}/messages")).StatusCode);

        // Once the time has passed (moved into the past here, rather than waited for), sending works again.
        await app.WriteDirectAsync(db => db.Members.Where(m => m.ServerId == server.Id && m.UserId == member.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.TimedOutUntil, DateTimeOffset.UtcNow.AddSeconds(-1))));
        await member.Client.SendOkAsync(channel, "back");
        Assert.Equal(HttpStatusCode.NoContent, (await member.Client.PutAsync(ChatApi.Reactions(channel, message.Id, "👍") + "/@me", null)).StatusCode);
    }

    [Fact]
    public async Task Lifting_a_timeout_lets_the_member_send_at_once()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);
        var channel = await ModerationApi.GeneralChannelAsync(owner, server.Id);
        Assert.Equal(HttpStatusCode.OK, (await owner.TimeOutAsync(server.Id, member, DateTimeOffset.UtcNow.AddDays(1))).StatusCode);
        await (await member.Client.SendMessageAsync(channel, "no")).AssertProblemAsync(HttpStatusCode.Forbidden, "timed_out");

        var lifted = await (await owner.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/{member.Id}/timeout")).ReadAsync<MemberResponse>();

        Assert.Null(lifted.TimedOutUntil);
        await member.Client.SendOkAsync(channel, "yes");
    }

    [Fact]
    public async Task Timeouts_need_moderate_members_a_lower_target_who_is_not_admin_and_at_most_28_days()
    {
        var owner = await app.UserAsync();
        var moderator = await app.UserAsync();
        var peer = await app.UserAsync();
        var admin = await app.UserAsync();
        var member = await app.UserAsync();
        var stranger = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        foreach (var user in new[] { moderator, peer, admin, member })
            await user.JoinAsync(owner, server.Id);
        var mods = await owner.CreateRoleAsync(server.Id, "mods", P.ModerateMembers);
        await owner.AssignRoleAsync(server.Id, moderator, mods.Id);
        await owner.AssignRoleAsync(server.Id, peer, mods.Id);
        var admins = await owner.CreateRoleAsync(server.Id, "admins", P.Administrator);
        await owner.AssignRoleAsync(server.Id, admin, admins.Id);
        var soon = DateTimeOffset.UtcNow.AddMinutes(5);
        var before = await app.SnapshotAsync();

        await (await member.TimeOutAsync(server.Id, peer, soon)).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await (await moderator.TimeOutAsync(server.Id, peer, soon)).AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
        await (await moderator.TimeOutAsync(server.Id, moderator, soon)).AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
        await (await moderator.TimeOutAsync(server.Id, owner, soon)).AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
        await (await owner.TimeOutAsync(server.Id, owner, soon)).AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
        await (await owner.TimeOutAsync(server.Id, admin, soon)).AssertProblemAsync(HttpStatusCode.Forbidden, "target_is_administrator");
        await (await moderator.TimeOutAsync(server.Id, stranger, soon)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.TimeOutAsync(server.Id, member, soon)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await moderator.TimeOutAsync(server.Id, member, DateTimeOffset.UtcNow.AddDays(28).AddMinutes(1))).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await moderator.TimeOutAsync(server.Id, member, DateTimeOffset.UtcNow.AddMinutes(-1))).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await moderator.Client.PutAsJsonAsync($"/api/v1/servers/{server.Id}/members/{member.Id}/timeout", new { }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(before, await app.SnapshotAsync());

        Assert.Equal(HttpStatusCode.OK, (await moderator.TimeOutAsync(server.Id, member, DateTimeOffset.UtcNow.AddDays(27))).StatusCode);
    }

    [Fact]
    public async Task A_kicked_member_is_told_the_server_name_and_the_reason()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var server = await owner.CreateServerAsync("Knitting circle");
        await member.JoinAsync(owner, server.Id);

        var response = await owner.Client.WithReasonAsync(HttpMethod.Delete, $"/api/v1/servers/{server.Id}/members/{member.Id}", "Spoilers, ünïcödé");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var removed = JsonDocument.Parse((await app.EventsAsync(EventScope.User, member.Id)).Last(e => e.Type == "ServerRemoved").Payload).RootElement;
        Assert.Equal("kicked", removed.GetProperty("reason").GetString());
        Assert.Equal("Knitting circle", removed.GetProperty("serverName").GetString());
        Assert.Equal("Spoilers, ünïcödé", removed.GetProperty("moderatorReason").GetString());
    }

    [Fact]
    public async Task A_ban_with_a_reason_and_delete_history_removes_the_users_recent_messages_in_that_server_only()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var server = await owner.CreateServerAsync("Home");
        var elsewhere = await owner.CreateServerAsync("Elsewhere");
        await member.JoinAsync(owner, server.Id);
        await member.JoinAsync(owner, elsewhere.Id);
        var general = await ModerationApi.GeneralChannelAsync(owner, server.Id);
        var other = (await owner.CreateChannelAsync(server.Id, "other")).Id;
        var away = await ModerationApi.GeneralChannelAsync(owner, elsewhere.Id);
        var spam = new[] { await member.Client.SendOkAsync(general, "spam 1"), await member.Client.SendOkAsync(other, "spam 2") };
        var kept = await owner.Client.SendOkAsync(general, "owner's");
        var awayMessage = await member.Client.SendOkAsync(away, "not here");

        await (await owner.Client.PutAsJsonAsync($"/api/v1/servers/{server.Id}/bans/{member.Id}", new { deleteMessageSeconds = 7 * 86400 + 1 }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var response = await owner.Client.PutAsJsonAsync($"/api/v1/servers/{server.Id}/bans/{member.Id}", new { reason = "spam bot", deleteMessageSeconds = 3600 });
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var ids = await app.QueryAsync(db => db.Messages.Select(m => m.Id).ToListAsync());
        Assert.DoesNotContain(spam[0].Id, ids);
        Assert.DoesNotContain(spam[1].Id, ids);
        Assert.Contains(kept.Id, ids);
        Assert.Contains(awayMessage.Id, ids);
        Assert.Equal("MessageDeleted", (await app.EventTypesAsync(EventScope.Channel, other))[^1]);
        var bans = await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/bans")).ReadAsync<List<BanResponse>>();
        Assert.Equal("spam bot", Assert.Single(bans).Reason);
        var removed = JsonDocument.Parse((await app.EventsAsync(EventScope.User, member.Id)).Last(e => e.Type == "ServerRemoved").Payload).RootElement;
        Assert.Equal(("banned", "Home", "spam bot"),
            (removed.GetProperty("reason").GetString(), removed.GetProperty("serverName").GetString(), removed.GetProperty("moderatorReason").GetString()));
        var entry = (await owner.AuditLogAsync(server.Id)).Entries[0];
        Assert.Equal(("member_ban_add", "spam bot"), (entry.Action, entry.Reason));
        Assert.Equal(("deleteMessageSeconds", "3600"), (Assert.Single(entry.Changes).Key, entry.Changes[0].New));
    }

    [Fact]
    public async Task A_moderators_ban_purges_channels_hidden_from_them_too_and_its_audit_entry_tells_nothing_of_them()
    {
        var owner = await app.UserAsync();
        var moderator = await app.UserAsync();
        var quiet = await app.UserAsync();
        var busy = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        foreach (var user in new[] { moderator, quiet, busy })
            await user.JoinAsync(owner, server.Id);
        var mods = await owner.CreateRoleAsync(server.Id, "mods", P.Ban | P.ViewAuditLog);
        await owner.AssignRoleAsync(server.Id, moderator, mods.Id);
        var general = await ModerationApi.GeneralChannelAsync(owner, server.Id);
        var hidden = (await owner.CreateChannelAsync(server.Id, "staff-only")).Id;
        Assert.True((await owner.Client.SendJsonAsync(HttpMethod.Put, $"/api/v1/channels/{hidden}/permissions/member/{moderator.Id}",
            new { allow = "0", deny = P.ViewChannel.Text() })).IsSuccessStatusCode);
        // Two members who wrote alike where the moderator can see; one of them wrote where they cannot, too.
        await quiet.Client.SendOkAsync(general, "spam");
        await busy.Client.SendOkAsync(general, "spam");
        await busy.Client.SendOkAsync(hidden, "spam where the moderator cannot see");
        await busy.Client.SendOkAsync(hidden, "more");

        foreach (var user in new[] { quiet, busy })
            Assert.Equal(HttpStatusCode.NoContent,
                (await moderator.Client.PutAsJsonAsync($"/api/v1/servers/{server.Id}/bans/{user.Id}", new { reason = "spam", deleteMessageSeconds = 3600 })).StatusCode);

        // The purge went everywhere: what it is for.
        var left = await app.QueryAsync(db => db.Messages.Where(m => m.AuthorId == quiet.Id || m.AuthorId == busy.Id).Select(m => m.Id).ToListAsync());
        Assert.Empty(left);
        // The two entries differ by nothing but whom they name: the log does not tell the busy one wrote where the moderator cannot see.
        var entries = (await moderator.AuditLogAsync(server.Id)).Entries.Where(e => e.Action == "member_ban_add").ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal(
            JsonSerializer.Serialize(entries.Single(e => e.TargetId == quiet.Id).Changes),
            JsonSerializer.Serialize(entries.Single(e => e.TargetId == busy.Id).Changes));
    }

}

[Trait("Provider", "sqlite")]
public sealed class SqliteTimeoutTests(SqliteApp app) : TimeoutTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresTimeoutTests(PostgresApp app) : TimeoutTests(app), IClassFixture<PostgresApp>;
