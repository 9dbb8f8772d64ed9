using System.Net.Http.Json;
using System.Text;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Servers;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Tests.Servers;

/// <summary>A signed-in user: their client and id.</summary>
public sealed record ApiUser(HttpClient Client, long Id)
{
    public string IdText => Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Sets up users, servers and memberships through the public API, and takes snapshots of what is stored.</summary>
public static class Chat
{
    public static async Task<ApiUser> UserAsync(this KamaChatApp app)
    {
        var tokens = await app.CreateClient().RegisterAsync();
        return new ApiUser(app.CreateClient(tokens.AccessToken), long.Parse(tokens.User.Id, System.Globalization.CultureInfo.InvariantCulture));
    }

    public static async Task<ServerResponse> CreateServerAsync(this ApiUser owner, string name = "Test server") =>
        await (await owner.Client.PostAsJsonAsync("/api/v1/servers", new { name })).ReadAsync<ServerResponse>(System.Net.HttpStatusCode.Created);

    public static async Task<InviteResponse> InviteAsync(this ApiUser creator, string serverId, int maxUses = 0, int maxAgeSeconds = 0) =>
        await (await creator.Client.PostAsJsonAsync($"/api/v1/servers/{serverId}/invites", new { maxUses, maxAgeSeconds, temporary = false }))
            .ReadAsync<InviteResponse>(System.Net.HttpStatusCode.Created);

    /// <summary>Makes <paramref name="user"/> a member through an invite of <paramref name="owner"/>.</summary>
    public static async Task JoinAsync(this ApiUser user, ApiUser owner, string serverId)
    {
        var invite = await owner.InviteAsync(serverId);
        await (await user.Client.PostAsync($"/api/v1/invites/{invite.Code}/join", null)).ReadAsync<ServerResponse>();
    }

    public static async Task<RoleResponse> CreateRoleAsync(this ApiUser actor, string serverId, string name, KamaChat.Server.Features.Permissions.Permissions permissions) =>
        await (await actor.Client.PostAsJsonAsync($"/api/v1/servers/{serverId}/roles",
                new { name, permissions = ((long)permissions).ToString(System.Globalization.CultureInfo.InvariantCulture), color = 0, mentionable = false }))
            .ReadAsync<RoleResponse>(System.Net.HttpStatusCode.Created);

    public static async Task AssignRoleAsync(this ApiUser actor, string serverId, ApiUser member, string roleId)
    {
        var response = await actor.Client.PutAsync($"/api/v1/servers/{serverId}/members/{member.IdText}/roles/{roleId}", null);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
    }

    public static async Task<ChannelResponse> CreateChannelAsync(this ApiUser actor, string serverId, string name, string type = "text", string? parentId = null) =>
        await (await actor.Client.PostAsJsonAsync($"/api/v1/servers/{serverId}/channels", new { name, type, parentId, slowModeSeconds = 0 }))
            .ReadAsync<ChannelResponse>(System.Net.HttpStatusCode.Created);

    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string url, object? body) =>
        client.SendAsync(new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) });

    /// <summary>Types of the events logged for one stream, oldest first.</summary>
    public static Task<List<string>> EventTypesAsync(this KamaChatApp app, EventScope scope, long scopeId) =>
        app.QueryAsync(db => db.EventLog.Where(e => e.Scope == scope && e.ScopeId == scopeId).OrderBy(e => e.Sequence).Select(e => e.Type).ToListAsync());

    /// <summary>Everything chat-related that is stored, as text: two equal snapshots mean nothing was written in between.</summary>
    public static Task<string> SnapshotAsync(this KamaChatApp app) => app.QueryAsync(async db =>
    {
        var text = new StringBuilder();
        foreach (var s in await db.Servers.OrderBy(s => s.Id).ToListAsync())
            text.AppendLine($"server {s.Id} {s.Name} {s.Description} {s.IconUrl} {s.OwnerId}");
        foreach (var m in await db.Members.OrderBy(m => m.ServerId).ThenBy(m => m.UserId).ToListAsync())
            text.AppendLine($"member {m.ServerId} {m.UserId} {m.Nickname}");
        foreach (var r in await db.Roles.OrderBy(r => r.Id).ToListAsync())
            text.AppendLine($"role {r.Id} {r.Name} {(long)r.Permissions} {r.Position} {r.Color} {r.Mentionable}");
        foreach (var r in await db.MemberRoles.OrderBy(r => r.RoleId).ThenBy(r => r.UserId).ToListAsync())
            text.AppendLine($"member_role {r.UserId} {r.RoleId}");
        foreach (var b in await db.Bans.OrderBy(b => b.ServerId).ThenBy(b => b.UserId).ToListAsync())
            text.AppendLine($"ban {b.ServerId} {b.UserId} {b.Reason}");
        foreach (var i in await db.Invites.OrderBy(i => i.Code).ToListAsync())
            text.AppendLine($"invite {i.Code} {i.Uses} {i.RevokedAt is null}");
        foreach (var c in await db.Channels.OrderBy(c => c.Id).ToListAsync())
            text.AppendLine($"channel {c.Id} {c.Name} {c.Topic} {c.Position} {c.ParentId} {c.SlowModeSeconds}");
        foreach (var o in await db.PermissionOverwrites.OrderBy(o => o.ChannelId).ThenBy(o => o.TargetId).ToListAsync())
            text.AppendLine($"overwrite {o.ChannelId} {o.TargetType} {o.TargetId} {(long)o.Allow} {(long)o.Deny}");
        text.AppendLine($"events {await db.EventLog.CountAsync()} messages {await db.Messages.CountAsync()}");
        return text.ToString();
    });
}
