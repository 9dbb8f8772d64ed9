using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Audit;
using KamaChat.Server.Features.Servers;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Audit;

public abstract class AuditLogTests(KamaChatApp app)
{
    [Fact]
    public async Task Every_moderation_and_configuration_action_writes_one_entry_with_actor_target_reason_and_changes()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var other = await app.UserAsync();
        var server = await owner.CreateServerAsync("Before");
        await member.JoinAsync(owner, server.Id);
        await other.JoinAsync(owner, server.Id);
        var baseline = (await owner.AuditLogAsync(server.Id)).Entries.Count; // the joins' invites
        var s = $"/api/v1/servers/{server.Id}";
        async Task Ok(Task<HttpResponseMessage> request)
        {
            var response = await request;
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        await Ok(owner.Client.WithReasonAsync(HttpMethod.Patch, s, "rename", new { name = "After" }));
        var channel = await owner.CreateChannelAsync(server.Id, "rules");
        await Ok(owner.Client.PatchAsJsonAsync($"/api/v1/channels/{channel.Id}", new { topic = "Be kind" }));
        var role = await owner.CreateRoleAsync(server.Id, "mods", P.Kick);
        await Ok(owner.Client.PatchAsJsonAsync($"{s}/roles/{role.Id}", new { color = 0xFF0000 }));
        await Ok(owner.Client.PutAsJsonAsync($"/api/v1/channels/{channel.Id}/permissions/role/{role.Id}", new { allow = P.SendMessages.ToString("D"), deny = "0" }));
        await Ok(owner.Client.DeleteAsync($"/api/v1/channels/{channel.Id}/permissions/role/{role.Id}"));
        await owner.AssignRoleAsync(server.Id, member, role.Id);
        await Ok(owner.Client.PatchAsJsonAsync($"{s}/members/{member.Id}", new { nickname = "Bee" }));
        var invite = await owner.InviteAsync(server.Id);
        await Ok(owner.Client.DeleteAsync($"/api/v1/invites/{invite.Code}"));
        var message = await member.Client.SendOkAsync(channel.Id, "pin me");
        await Ok(owner.Client.PutAsync($"/api/v1/channels/{channel.Id}/pins/{message.Id}", null));
        await Ok(owner.Client.DeleteAsync($"/api/v1/channels/{channel.Id}/pins/{message.Id}"));
        await Ok(owner.Client.WithReasonAsync(HttpMethod.Delete, $"/api/v1/channels/{channel.Id}/messages/{message.Id}", "spam"));
        await Ok(owner.TimeOutAsync(server.Id, member, DateTimeOffset.UtcNow.AddMinutes(10), "cool down"));
        await Ok(owner.Client.WithReasonAsync(HttpMethod.Delete, $"{s}/members/{member.Id}", "rude, twice"));
        await Ok(owner.Client.WithReasonAsync(HttpMethod.Put, $"{s}/bans/{other.Id}", "raid", new { }));
        await Ok(owner.Client.DeleteAsync($"{s}/bans/{other.Id}"));
        await Ok(owner.Client.DeleteAsync($"{s}/roles/{role.Id}"));
        await Ok(owner.Client.DeleteAsync($"/api/v1/channels/{channel.Id}"));
        // One's own message, deleted by oneself, is not a moderator's deletion.
        var own = await owner.Client.SendOkAsync(await ModerationApi.GeneralChannelAsync(owner, server.Id), "mine");
        await Ok(owner.Client.DeleteAsync($"/api/v1/channels/{own.ChannelId}/messages/{own.Id}"));

        var log = await owner.AuditLogAsync(server.Id, "limit=100");
        var entries = log.Entries.Take(log.Entries.Count - baseline).Reverse().ToList();
        Assert.Equal(
        [
            AuditActions.ServerUpdate, AuditActions.ChannelCreate, AuditActions.ChannelUpdate, AuditActions.RoleCreate,
            AuditActions.RoleUpdate, AuditActions.OverwriteUpdate, AuditActions.OverwriteDelete, AuditActions.MemberRoleUpdate,
            AuditActions.MemberUpdate, AuditActions.InviteCreate, AuditActions.InviteDelete, AuditActions.MessagePin, AuditActions.MessageUnpin,
            AuditActions.MessageDelete, AuditActions.MemberTimeout, AuditActions.MemberKick, AuditActions.MemberBanAdd, AuditActions.MemberBanRemove,
            AuditActions.RoleDelete, AuditActions.ChannelDelete,
        ], entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal(owner.Id, e.ActorId));

        var rename = entries.Single(e => e.Action == AuditActions.ServerUpdate);
        Assert.Equal("rename", rename.Reason);
        Assert.Equal(new AuditChange("name", "Before", "After"), Assert.Single(rename.Changes));
        Assert.Equal(channel.Id, entries.Single(e => e.Action == AuditActions.ChannelUpdate).TargetId);
        Assert.Contains(new AuditChange("topic", null, "Be kind"), entries.Single(e => e.Action == AuditActions.ChannelUpdate).Changes);
        Assert.Contains(new AuditChange("color", "0", "16711680"), entries.Single(e => e.Action == AuditActions.RoleUpdate).Changes);
        Assert.Contains(new AuditChange("allow", null, P.SendMessages.ToString("D")), entries.Single(e => e.Action == AuditActions.OverwriteUpdate).Changes);
        Assert.Contains(new AuditChange("roleAdded", null, role.Id.ToString()), entries.Single(e => e.Action == AuditActions.MemberRoleUpdate).Changes);
        Assert.Contains(new AuditChange("nickname", null, "Bee"), entries.Single(e => e.Action == AuditActions.MemberUpdate).Changes);
        Assert.Contains(new AuditChange("code", invite.Code, null), entries.Single(e => e.Action == AuditActions.InviteDelete).Changes);
        var deleted = entries.Single(e => e.Action == AuditActions.MessageDelete);
        Assert.Equal((member.Id, "spam"), (deleted.TargetId!.Value, deleted.Reason));
        var timeout = entries.Single(e => e.Action == AuditActions.MemberTimeout);
        Assert.Equal((member.Id, "cool down"), (timeout.TargetId!.Value, timeout.Reason));
        Assert.Equal("timedOutUntil", Assert.Single(timeout.Changes).Key);
        var kick = entries.Single(e => e.Action == AuditActions.MemberKick);
        Assert.Equal((member.Id, "rude, twice"), (kick.TargetId!.Value, kick.Reason));
        Assert.Equal("raid", entries.Single(e => e.Action == AuditActions.MemberBanAdd).Reason);
        Assert.Contains(new AuditChange("name", "mods", null), entries.Single(e => e.Action == AuditActions.RoleDelete).Changes);
        Assert.Contains(new AuditChange("name", "rules", null), entries.Single(e => e.Action == AuditActions.ChannelDelete).Changes);
        // The users the page names come with it.
        Assert.Subset(log.Users.Select(u => u.Id).ToHashSet(), new[] { owner.Id, member.Id, other.Id }.ToHashSet());
    }

    [Fact]
    public async Task Refused_or_invalid_changes_write_no_entry()
    {
        var owner = await app.UserAsync();
        var moderator = await app.UserAsync();
        var peer = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await moderator.JoinAsync(owner, server.Id);
        await peer.JoinAsync(owner, server.Id);
        var mods = await owner.CreateRoleAsync(server.Id, "mods", P.Kick | P.ManageRoles | P.ModerateMembers);
        await owner.AssignRoleAsync(server.Id, moderator, mods.Id);
        await owner.AssignRoleAsync(server.Id, peer, mods.Id);
        var before = await app.SnapshotAsync();
        var s = $"/api/v1/servers/{server.Id}";

        await (await moderator.Client.WithReasonAsync(HttpMethod.Delete, $"{s}/members/{peer.Id}", "no"))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
        await (await moderator.TimeOutAsync(server.Id, peer, DateTimeOffset.UtcNow.AddMinutes(5)))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
        await (await moderator.Client.PatchAsJsonAsync($"{s}/roles/{mods.Id}", new { name = "higher" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "role_hierarchy");
        await (await owner.Client.PatchAsJsonAsync($"{s}/roles/{mods.Id}", new { name = " " }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        // A reason too long for the log refuses the whole request: the kick does not happen without its reason.
        var problem = await (await owner.Client.WithReasonAsync(HttpMethod.Delete, $"{s}/members/{peer.Id}", new string('r', AuditLogEntry.ReasonMaxLength + 1)))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotEmpty(problem.FieldErrors(AuditReason.Header.ToLowerInvariant()));

        Assert.Equal(before, await app.SnapshotAsync());
    }

    [Fact]
    public async Task The_log_is_readable_only_with_view_audit_log_and_hidden_from_non_members()
    {
        var owner = await app.UserAsync();
        var auditor = await app.UserAsync();
        var member = await app.UserAsync();
        var stranger = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await auditor.JoinAsync(owner, server.Id);
        await member.JoinAsync(owner, server.Id);
        var auditors = await owner.CreateRoleAsync(server.Id, "auditors", P.ViewAuditLog);
        await owner.AssignRoleAsync(server.Id, auditor, auditors.Id);
        var url = $"/api/v1/servers/{server.Id}/audit-log";

        await (await stranger.Client.GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var refusal = await (await member.Client.GetAsync(url)).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        Assert.Equal("ViewAuditLog", refusal.GetProperty("permission").GetString());
        var seen = await auditor.AuditLogAsync(server.Id);
        Assert.Contains(seen.Entries, e => e.Action == AuditActions.RoleCreate && e.TargetId == auditors.Id);
    }

    [Fact]
    public async Task The_log_pages_newest_first_and_filters_by_actor_and_action()
    {
        var owner = await app.UserAsync();
        var admin = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await admin.JoinAsync(owner, server.Id);
        var admins = await owner.CreateRoleAsync(server.Id, "admins", P.Administrator);
        await owner.AssignRoleAsync(server.Id, admin, admins.Id);
        for (var i = 0; i < 3; i++)
            await admin.CreateChannelAsync(server.Id, $"room-{i}");

        var all = await owner.AuditLogAsync(server.Id);
        Assert.Equal(all.Entries.OrderByDescending(e => e.Id).Select(e => e.Id), all.Entries.Select(e => e.Id));
        var first = await owner.AuditLogAsync(server.Id, "limit=2");
        var rest = await owner.AuditLogAsync(server.Id, $"before={first.Entries[^1].Id}");
        Assert.Equal(all.Entries.Select(e => e.Id), first.Entries.Concat(rest.Entries).Select(e => e.Id));

        var byAdmin = await owner.AuditLogAsync(server.Id, $"userId={admin.Id}");
        Assert.Equal(3, byAdmin.Entries.Count);
        Assert.All(byAdmin.Entries, e => Assert.Equal((admin.Id, AuditActions.ChannelCreate), (e.ActorId, e.Action)));
        var roles = await owner.AuditLogAsync(server.Id, $"action={AuditActions.RoleCreate}");
        Assert.Equal(admins.Id, Assert.Single(roles.Entries).TargetId);

        await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/audit-log?action=explode")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/audit-log?limit=101")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task The_sweep_removes_entries_older_than_90_days_and_keeps_the_rest()
    {
        var owner = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await owner.CreateRoleAsync(server.Id, "kept", P.None);
        var entries = await app.QueryAsync(db => db.AuditLog.CountAsync(e => e.ServerId == server.Id));
        Assert.True(entries > 0);

        await app.QueryAsync(db => new AuditLogRetention(db, new ShiftedClock(TimeSpan.FromDays(89))).SweepAsync(CancellationToken.None));
        Assert.Equal(entries, await app.QueryAsync(db => db.AuditLog.CountAsync(e => e.ServerId == server.Id)));

        await app.QueryAsync(db => new AuditLogRetention(db, new ShiftedClock(TimeSpan.FromDays(91))).SweepAsync(CancellationToken.None));
        Assert.Equal(0, await app.QueryAsync(db => db.AuditLog.CountAsync(e => e.ServerId == server.Id)));
    }


    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteAuditLogTests(SqliteApp app) : AuditLogTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresAuditLogTests(PostgresApp app) : AuditLogTests(app), IClassFixture<PostgresApp>;
