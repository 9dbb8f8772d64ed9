using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.Servers;

namespace KamaChat.Tests.Infrastructure;

/// <summary>Chat set up and used through the public API, as a client would: servers, invites, roles, channels, messages.</summary>
public static class ChatApi
{
    public static async Task<ServerResponse> CreateServerAsync(this TestUser owner, string name = "Test server") =>
        await (await owner.Client.PostAsJsonAsync("/api/v1/servers", new { name })).ReadAsync<ServerResponse>(HttpStatusCode.Created);

    public static async Task<InviteResponse> InviteAsync(this TestUser creator, Snowflake serverId, int maxUses = 0, int maxAgeSeconds = 0) =>
        await (await creator.Client.PostAsJsonAsync($"/api/v1/servers/{serverId}/invites", new { maxUses, maxAgeSeconds, temporary = false }))
            .ReadAsync<InviteResponse>(HttpStatusCode.Created);

    /// <summary>Makes <paramref name="user"/> a member through an invite of <paramref name="owner"/>.</summary>
    public static async Task JoinAsync(this TestUser user, TestUser owner, Snowflake serverId)
    {
        var invite = await owner.InviteAsync(serverId);
        await (await user.Client.PostAsync($"/api/v1/invites/{invite.Code}/join", null)).ReadAsync<ServerResponse>();
    }

    public static async Task<RoleResponse> CreateRoleAsync(this TestUser actor, Snowflake serverId, string name, Server.Features.Permissions.Permissions permissions) =>
        await (await actor.Client.PostAsJsonAsync($"/api/v1/servers/{serverId}/roles",
                new { name, permissions = permissions.Text(), color = 0, mentionable = false }))
            .ReadAsync<RoleResponse>(HttpStatusCode.Created);

    public static async Task AssignRoleAsync(this TestUser actor, Snowflake serverId, TestUser member, Snowflake roleId)
    {
        var response = await actor.Client.PutAsync($"/api/v1/servers/{serverId}/members/{member.Id}/roles/{roleId}", null);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    public static async Task<ChannelResponse> CreateChannelAsync(this TestUser actor, Snowflake serverId, string name, string type = "text", Snowflake? parentId = null) =>
        await (await actor.Client.PostAsJsonAsync($"/api/v1/servers/{serverId}/channels", new { name, type, parentId, slowModeSeconds = 0 }))
            .ReadAsync<ChannelResponse>(HttpStatusCode.Created);

    /// <summary>Denies @everyone VIEW_CHANNEL on a channel, as making it private does: only those let in again see it.</summary>
    public static async Task HideFromEveryoneAsync(this TestUser actor, Snowflake serverId, Snowflake channelId)
    {
        var deny = ((long)KamaChat.Server.Features.Permissions.Permissions.ViewChannel).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var response = await actor.Client.PutAsJsonAsync($"/api/v1/channels/{channelId}/permissions/role/{serverId}", new { allow = "0", deny });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static Task<HttpResponseMessage> SendMessageAsync(this HttpClient client, Snowflake channelId, string content, string? nonce = null, Snowflake? replyTo = null) =>
        client.PostAsJsonAsync($"/api/v1/channels/{channelId}/messages", new { content, nonce, replyTo });

    public static async Task<MessageResponse> SendOkAsync(this HttpClient client, Snowflake channelId, string content, string? nonce = null, Snowflake? replyTo = null) =>
        await (await client.SendMessageAsync(channelId, content, nonce, replyTo)).ReadAsync<MessageResponse>(HttpStatusCode.Created);

    /// <summary>The URL of one emoji's reactions on a message.</summary>
    public static string Reactions(Snowflake channelId, Snowflake messageId, string emoji) =>
        $"/api/v1/channels/{channelId}/messages/{messageId}/reactions/{Uri.EscapeDataString(emoji)}";

    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string url, object? body) =>
        client.SendAsync(new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) });

    /// <summary>A DELETE with a JSON body (deleting a server or an account asks for confirmation).</summary>
    public static Task<HttpResponseMessage> DeleteAsync(this HttpClient client, string url, object body) =>
        client.SendJsonAsync(HttpMethod.Delete, url, body);
}
