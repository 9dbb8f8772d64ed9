using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Messages;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Attachments;

/// <summary>The upload API as a client calls it.</summary>
internal static class UploadClient
{
    public static Task<HttpResponseMessage> UploadAsync(this HttpClient client, Snowflake channelId, string fileName, HttpContent body) =>
        client.PostAsync($"/api/v1/channels/{channelId}/attachments?filename={Uri.EscapeDataString(fileName)}", body);

    public static async Task<UploadResponse> UploadOkAsync(this HttpClient client, Snowflake channelId, string fileName, byte[] bytes) =>
        await (await client.UploadAsync(channelId, fileName, new ByteArrayContent(bytes))).ReadAsync<UploadResponse>(HttpStatusCode.Created);

    public static Task<HttpResponseMessage> SendWithAsync(this HttpClient client, Snowflake channelId, string content, params Snowflake[] attachmentIds) =>
        client.PostAsJsonAsync($"/api/v1/channels/{channelId}/messages", new { content, attachmentIds }, Api.Json);

    public static async Task<MessageResponse> SendWithOkAsync(this HttpClient client, Snowflake channelId, string content, params Snowflake[] attachmentIds) =>
        await (await client.SendWithAsync(channelId, content, attachmentIds)).ReadAsync<MessageResponse>(HttpStatusCode.Created);

    /// <summary>A body whose length is not known up front (sent chunked): the server must count as it reads.</summary>
    public static HttpContent Unsized(byte[] bytes) => new StreamContent(new UnseekableStream(bytes));

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
