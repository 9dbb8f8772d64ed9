using System.Net.Http.Json;
using KamaChat.Server.Features.Audit;
using KamaChat.Server.Features.Channels;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Audit;

/// <summary>Moderation through the public API: requests with an audit-log reason, and reading the audit log.</summary>
public static class ModerationApi
{
    /// <summary>A request with the reason in X-Audit-Log-Reason, percent-encoded as clients send it.</summary>
    public static Task<HttpResponseMessage> WithReasonAsync(this HttpClient client, HttpMethod method, string url, string? reason, object? body = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        if (reason is not null)
            request.Headers.Add(AuditReason.Header, Uri.EscapeDataString(reason));
        return client.SendAsync(request);
    }

    public static async Task<AuditLogResponse> AuditLogAsync(this TestUser user, Snowflake serverId, string query = "") =>
        await (await user.Client.GetAsync($"/api/v1/servers/{serverId}/audit-log{(query.Length > 0 ? "?" + query : "")}")).ReadAsync<AuditLogResponse>();

    /// <summary>The text channel a new server starts with (#general).</summary>
    public static async Task<Snowflake> GeneralChannelAsync(TestUser user, Snowflake serverId) =>
        (await (await user.Client.GetAsync($"/api/v1/servers/{serverId}/channels")).ReadAsync<List<ChannelResponse>>()).First(c => c.Type == "text").Id;

    /// <summary>Times <paramref name="member"/> out until <paramref name="until"/>.</summary>
    public static Task<HttpResponseMessage> TimeOutAsync(this TestUser actor, Snowflake serverId, TestUser member, DateTimeOffset until, string? reason = null) =>
        actor.Client.WithReasonAsync(HttpMethod.Put, $"/api/v1/servers/{serverId}/members/{member.Id}/timeout", reason, new { until });
}
