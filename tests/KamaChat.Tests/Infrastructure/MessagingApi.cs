using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Tests.Infrastructure;

/// <summary>Client calls and database checks for the message tests.</summary>
public static class MessagingApi
{
    public static Task<HttpResponseMessage> SendMessageAsync(this HttpClient client, long channelId, string content, string? nonce = null, long? replyTo = null) =>
        client.PostAsJsonAsync($"/api/v1/channels/{channelId}/messages", new { content, nonce, replyTo = replyTo?.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    public static async Task<MessageResponse> SendOkAsync(this HttpClient client, long channelId, string content, string? nonce = null, long? replyTo = null) =>
        await (await client.SendMessageAsync(channelId, content, nonce, replyTo)).ReadAsync<MessageResponse>(HttpStatusCode.Created);

    public static long Id(this MessageResponse message) => long.Parse(message.Id, System.Globalization.CultureInfo.InvariantCulture);

    public static string Reactions(long channelId, long messageId, string emoji) =>
        $"/api/v1/channels/{channelId}/messages/{messageId}/reactions/{Uri.EscapeDataString(emoji)}";

    public static Task<HttpResponseMessage> DeleteAsync(this HttpClient client, string url, object body) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, url) { Content = JsonContent.Create(body) });

    /// <summary>The event log of one stream, in sequence order.</summary>
    public static Task<List<EventLogEntry>> EventsAsync(this KamaChatApp app, EventScope scope, long scopeId) =>
        app.QueryAsync(db => db.EventLog.AsNoTracking().Where(e => e.Scope == scope && e.ScopeId == scopeId).OrderBy(e => e.Sequence).ToListAsync());

    /// <summary>Asserts the channel's events have exactly these types, numbered 1, 2, 3, ... without gaps.</summary>
    public static async Task<List<EventLogEntry>> AssertChannelEventsAsync(this KamaChatApp app, long channelId, params string[] types)
    {
        var events = await app.EventsAsync(EventScope.Channel, channelId);
        Assert.Equal(types, events.Select(e => e.Type));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        return events;
    }

    public static Task<int> MessageCountAsync(this KamaChatApp app, long channelId) =>
        app.QueryAsync(db => db.Messages.CountAsync(m => m.ChannelId == channelId));
}
