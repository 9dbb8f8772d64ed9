using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using KamaChat.Server.Features.Messages;
using KamaChat.Tests.Infrastructure;
using KamaChat.Tests.Media;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Attachments;

/// <summary>Resumable uploads (tus 1.0.0) through HTTP as tus-js-client speaks it, on local disk (SQLite) and S3 (PostgreSQL).</summary>
[Collection("libvips")]
public abstract class ResumableUploadTests(KamaChatApp app) : IClassFixture<MediaSamples>
{
    [Fact]
    public async Task A_file_sent_in_chunks_with_a_dropped_chunk_resumes_from_the_last_whole_one_and_is_sent_with_a_message()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var file = RandomBytes(300_000);
        var location = await CreateAsync(owner, channelId, file.Length, "big.bin");

        Assert.Equal(HttpStatusCode.NoContent, (await PatchAsync(owner, location, 0, file.AsMemory(0, 100_000))).StatusCode);
        // The connection drops 50,000 bytes into the next chunk: nothing of it is kept.
        await Assert.ThrowsAnyAsync<Exception>(() => PatchAsync(owner, location, 100_000, new DroppingContent(file.AsMemory(100_000, 100_000), 50_000)));
        Assert.Equal(100_000, await OffsetAsync(owner, location));
        Assert.Equal(HttpStatusCode.NoContent, (await PatchAsync(owner, location, 100_000, file.AsMemory(100_000, 200_000))).StatusCode);
        Assert.Equal(300_000, await OffsetAsync(owner, location));

        var id = Snowflake.Parse(location.Split('/')[^1]);
        var sent = await owner.Client.SendWithOkAsync(channelId, "here", id);
        var attachment = Assert.Single(sent.Attachments);
        Assert.Equal(("big.bin", 300_000L), (attachment.FileName, attachment.Size));
        var storage = app.Services.GetRequiredService<KamaChat.Server.Infrastructure.Storage.IMediaStorage>();
        await using var stored = await storage.GetAsync($"attachments/{id}/original");
        using var copy = new MemoryStream();
        await stored!.Content.CopyToAsync(copy);
        Assert.Equal(file, copy.ToArray());
    }

    [Fact]
    public async Task A_chunk_at_the_wrong_offset_is_409_and_changes_nothing()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var location = await CreateAsync(owner, channelId, 1000, "a.bin");
        await PatchAsync(owner, location, 0, RandomBytes(400));

        var conflict = await PatchAsync(owner, location, 200, RandomBytes(100));

        await conflict.AssertProblemAsync(HttpStatusCode.Conflict, "offset_mismatch");
        Assert.Equal(400, await OffsetAsync(owner, location));
    }

    [Fact]
    public async Task Someone_elses_upload_is_404_to_every_tus_request()
    {
        var other = await app.UserAsync();
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync(other);
        var location = await CreateAsync(owner, channelId, 1000, "mine.bin");

        using var head = new HttpRequestMessage(HttpMethod.Head, location);
        head.Headers.Add("Tus-Resumable", "1.0.0");
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.SendAsync(head)).StatusCode);
        await (await PatchAsync(other, location, 0, RandomBytes(10))).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        using var delete = new HttpRequestMessage(HttpMethod.Delete, location);
        delete.Headers.Add("Tus-Resumable", "1.0.0");
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.SendAsync(delete)).StatusCode);
        Assert.Equal(0, await OffsetAsync(owner, location));
    }

    [Fact]
    public async Task Limits_are_those_of_plain_uploads_and_a_request_without_the_tus_version_is_412()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();

        var tooLarge = await CreateRequestAsync(owner, channelId, UploadLimits.MaxFileBytes + 1, "big.bin");
        await tooLarge.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        var location = await CreateAsync(owner, channelId, 10, "small.bin");
        var overflow = await PatchAsync(owner, location, 0, RandomBytes(11));
        await overflow.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        using var versionless = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/channels/{channelId}/attachments/tus");
        versionless.Headers.Add("Upload-Length", "10");
        await (await owner.Client.SendAsync(versionless)).AssertProblemAsync(HttpStatusCode.PreconditionFailed, "unsupported_tus_version");
        Assert.Equal(0, await app.QueryAsync(db => db.Attachments.CountAsync(a => a.ChannelId == channelId)));
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private static Task<HttpResponseMessage> CreateRequestAsync(TestUser user, Snowflake channelId, long length, string fileName)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/channels/{channelId}/attachments/tus");
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("Upload-Metadata", "filename " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(fileName)));
        return user.Client.SendAsync(request);
    }

    private static async Task<string> CreateAsync(TestUser user, Snowflake channelId, long length, string fileName)
    {
        var response = await CreateRequestAsync(user, channelId, length, fileName);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("1.0.0", response.Headers.GetValues("Tus-Resumable").Single());
        return response.Headers.Location!.OriginalString;
    }

    private static Task<HttpResponseMessage> PatchAsync(TestUser user, string location, long offset, ReadOnlyMemory<byte> chunk) =>
        PatchAsync(user, location, offset, new ReadOnlyMemoryContent(chunk));

    private static Task<HttpResponseMessage> PatchAsync(TestUser user, string location, long offset, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = content };
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        return user.Client.SendAsync(request);
    }

    private static async Task<long> OffsetAsync(TestUser user, string location)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, location);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        var response = await user.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return long.Parse(response.Headers.GetValues("Upload-Offset").Single(), CultureInfo.InvariantCulture);
    }

    /// <summary>Declares the whole chunk's length, sends part of it, then fails: a connection that drops mid-chunk.</summary>
    private sealed class DroppingContent(ReadOnlyMemory<byte> chunk, int sendBeforeDropping) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(chunk[..sendBeforeDropping]);
            await stream.FlushAsync();
            throw new IOException("The connection dropped.");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = chunk.Length;
            return true;
        }
    }
}

public sealed class SqliteResumableUploadTests(UploadSqliteApp app) : ResumableUploadTests(app), IClassFixture<UploadSqliteApp>;

public sealed class PostgresResumableUploadTests(UploadPostgresApp app) : ResumableUploadTests(app), IClassFixture<UploadPostgresApp>;
