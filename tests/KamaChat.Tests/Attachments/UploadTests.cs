using System.Diagnostics;
using System.Net;
using System.Text.Json;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Infrastructure.Storage;
using KamaChat.Tests.Infrastructure;
using KamaChat.Tests.Media;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Attachments;

/// <summary>Uploading files and sending them with a message, through HTTP as the web client does.</summary>
[Collection("libvips")]
public abstract class UploadTests(KamaChatApp app, MediaSamples samples) : IClassFixture<MediaSamples>
{
    [Fact]
    public async Task An_image_sent_with_a_message_is_processed_and_MessageUpdated_brings_its_thumbnail()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var image = await File.ReadAllBytesAsync(samples.Image($"cat-{Guid.NewGuid():N}.png", 640, 480));

        var upload = await owner.Client.UploadOkAsync(channelId, "cat.png", image);
        var sent = await owner.Client.SendWithOkAsync(channelId, "", upload.Id);

        var pending = Assert.Single(sent.Attachments);
        Assert.Equal((upload.Id, "cat.png", image.LongLength, "pending"), (pending.Id, pending.FileName, pending.Size, pending.State));
        Assert.Null(pending.Url); // nothing is served before it is processed
        var updated = await WaitForUpdateAsync(channelId, sent.Id);
        var ready = Assert.Single(updated.Attachments);
        Assert.Equal(("ready", "image/png", 640, 480), (ready.State, ready.ContentType, ready.Width, ready.Height));
        Assert.NotNull(ready.Placeholder);

        using var thumbnail = await GetAsync(ready.ThumbnailUrl!);
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        Assert.Equal("image/webp", thumbnail.Content.Headers.ContentType?.MediaType);
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString((await thumbnail.Content.ReadAsByteArrayAsync()).AsSpan(0, 4)));
        using var original = await GetAsync(ready.Url!);
        Assert.Equal(image.Length, (await original.Content.ReadAsByteArrayAsync()).Length);

        var history = await (await owner.Client.GetAsync($"/api/v1/channels/{channelId}/messages")).ReadAsync<List<MessageResponse>>();
        Assert.Equal("ready", Assert.Single(Assert.Single(history).Attachments).State);
    }

    [Fact]
    public async Task A_file_over_the_limit_is_refused_413_from_its_length_and_while_it_streams_leaving_nothing()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var tooLarge = new byte[UploadLimits.MaxFileBytes + 1];

        var declared = await owner.Client.UploadAsync(channelId, "big.bin", new ByteArrayContent(tooLarge));
        var streamed = await owner.Client.UploadAsync(channelId, "big.bin", UploadClient.Unsized(tooLarge));

        await declared.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await streamed.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Equal(0, await app.QueryAsync(db => db.Attachments.CountAsync(a => a.ChannelId == channelId)));
        var exactly = await owner.Client.UploadOkAsync(channelId, "fits.bin", new byte[UploadLimits.MaxFileBytes]);
        Assert.Equal(UploadLimits.MaxFileBytes, exactly.Size);
    }

    [Fact]
    public async Task An_empty_file_is_refused()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();

        await (await owner.Client.UploadAsync(channelId, "empty.txt", new ByteArrayContent([]))).AssertProblemAsync(HttpStatusCode.BadRequest, "empty_file");
        await (await owner.Client.UploadAsync(channelId, "empty.txt", UploadClient.Unsized([]))).AssertProblemAsync(HttpStatusCode.BadRequest, "empty_file");
    }

    [Fact]
    public async Task A_channel_the_user_cannot_see_answers_404_and_one_without_ATTACH_FILES_403()
    {
        var (serverId, channelId, _) = await app.SeedServerWithChannelAsync();
        var stranger = await app.UserAsync();
        var member = await app.UserAsync();
        await app.SeedMemberAsync(serverId, member);
        await app.SeedOverwriteAsync(channelId, OverwriteTarget.Member, member.Id, Perms.None, Perms.AttachFiles);

        await (await stranger.Client.UploadAsync(channelId, "a.txt", new ByteArrayContent([1]))).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await member.Client.UploadAsync(channelId, "a.txt", new ByteArrayContent([1]))).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        Assert.Equal(0, await app.QueryAsync(db => db.Attachments.CountAsync(a => a.ChannelId == channelId)));
    }

    [Fact]
    public async Task Only_the_uploader_may_attach_an_upload_and_only_once()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var other = await app.UserAsync();
        await app.SeedMemberAsync(serverId, other);
        var upload = await owner.Client.UploadOkAsync(channelId, "mine.txt", "hello"u8.ToArray());

        await (await other.Client.SendWithAsync(channelId, "stolen", upload.Id)).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_attachment");
        await owner.Client.SendWithOkAsync(channelId, "mine", upload.Id);
        await (await owner.Client.SendWithAsync(channelId, "again", upload.Id)).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_attachment");
        await (await owner.Client.SendWithAsync(channelId, "twice in one", upload.Id, upload.Id)).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await owner.Client.SendWithAsync(channelId, "")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(1, await app.MessageCountAsync(channelId));
    }

    [Fact]
    public async Task Eleven_attachments_on_one_message_are_refused()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var ids = Enumerable.Range(0, 11).Select(i => new Snowflake(i + 1)).ToArray();

        var problem = await (await owner.Client.SendWithAsync(channelId, "many", ids)).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.NotEmpty(problem.FieldErrors("attachmentIds"));
    }

    [Fact]
    public async Task A_file_name_keeps_no_path_or_bidi_override()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();

        var upload = await owner.Client.UploadOkAsync(channelId, "../../etc/evil\u202Egpj.exe", [1, 2, 3]);

        Assert.DoesNotContain('/', upload.FileName);
        Assert.DoesNotContain('\u202E', upload.FileName);
        Assert.StartsWith("evil", upload.FileName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uploads_are_limited_per_account_in_files_and_in_bytes()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        for (var i = 0; i < UploadLimits.FilesPerMinute; i++)
            await owner.Client.UploadOkAsync(channelId, $"f{i}.txt", [1]);
        await (await owner.Client.UploadAsync(channelId, "one-more.txt", new ByteArrayContent([1]))).AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");

        var (_, otherChannel, heavy) = await app.SeedServerWithChannelAsync();
        var almostAMegabyte = new byte[UploadLimits.MaxFileBytes - 1];
        for (var i = 0; i < UploadLimits.KilobytesPerMinute / 1024; i++)
            await heavy.Client.UploadOkAsync(otherChannel, $"b{i}.bin", almostAMegabyte);
        var refused = await heavy.Client.UploadAsync(otherChannel, "over.bin", new ByteArrayContent(almostAMegabyte));
        await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    [Fact]
    public async Task An_upload_not_sent_within_an_hour_is_swept_with_its_file_and_a_sent_one_stays()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var forgotten = await owner.Client.UploadOkAsync(channelId, "forgotten.txt", "bye"u8.ToArray());
        var sent = await owner.Client.UploadOkAsync(channelId, "sent.txt", "hi"u8.ToArray());
        await owner.Client.SendWithOkAsync(channelId, "with a file", sent.Id);
        var storage = app.Services.GetRequiredService<IMediaStorage>();

        var early = ActivatorUtilities.CreateInstance<UnattachedUploadSweeper>(app.Services, new ShiftedClock(TimeSpan.FromMinutes(59)));
        await early.SweepAsync(CancellationToken.None);
        Assert.True(await app.QueryAsync(db => db.Attachments.AnyAsync(a => a.Id == forgotten.Id)));
        var late = ActivatorUtilities.CreateInstance<UnattachedUploadSweeper>(app.Services, new ShiftedClock(TimeSpan.FromMinutes(61)));
        await late.SweepAsync(CancellationToken.None);

        Assert.False(await app.QueryAsync(db => db.Attachments.AnyAsync(a => a.Id == forgotten.Id)));
        Assert.True(await app.QueryAsync(db => db.Attachments.AnyAsync(a => a.Id == sent.Id)));
        await WaitUntilGoneAsync(storage, forgotten.Id);
        Assert.NotEmpty(await storage.ListAsync(DeleteAttachmentFilesJob.Prefix(sent.Id)).ToListAsync());
        await (await owner.Client.SendWithAsync(channelId, "too late", forgotten.Id)).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_attachment");
    }

    [Fact]
    public async Task Deleting_a_message_deletes_its_stored_files()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var upload = await owner.Client.UploadOkAsync(channelId, "doomed.txt", "soon gone"u8.ToArray());
        var message = await owner.Client.SendWithOkAsync(channelId, "", upload.Id);
        var storage = app.Services.GetRequiredService<IMediaStorage>();
        Assert.NotEmpty(await storage.ListAsync(DeleteAttachmentFilesJob.Prefix(upload.Id)).ToListAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{channelId}/messages/{message.Id}")).StatusCode);

        await WaitUntilGoneAsync(storage, upload.Id);
        Assert.False(await app.QueryAsync(db => db.Attachments.AnyAsync(a => a.Id == upload.Id)));
    }

    [Fact]
    public async Task A_file_that_is_not_media_is_a_download_and_a_tampered_link_is_refused()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var upload = await owner.Client.UploadOkAsync(channelId, "cat.jpg", "<html><script>alert(1)</script></html>"u8.ToArray());
        var sent = await owner.Client.SendWithOkAsync(channelId, "", upload.Id);

        var file = Assert.Single((await WaitForUpdateAsync(channelId, sent.Id)).Attachments);
        Assert.Equal("application/octet-stream", file.ContentType);
        Assert.Null(file.ThumbnailUrl);
        using var download = await GetAsync(file.Url!);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.NotEqual("text/html", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        if (!IsAbsolute(file.Url!)) // S3 cannot add this header; its presigned URL forces the type and the disposition instead
            Assert.Contains("nosniff", download.Headers.GetValues("X-Content-Type-Options"));

        var tampered = file.Url!.Replace("original", "original2", StringComparison.Ordinal);
        using var refused = await GetAsync(tampered);
        Assert.True(refused.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, $"{refused.StatusCode}");
    }

    /// <summary>Signed URLs are relative (this server, local disk) or absolute (S3): fetched without the API token either way.</summary>
    private async Task<HttpResponseMessage> GetAsync(string url)
    {
        if (IsAbsolute(url))
        {
            using var plain = new HttpClient();
            return await plain.GetAsync(url);
        }
        return await app.CreateClient().GetAsync(url);
    }

    private static bool IsAbsolute(string url) => url.StartsWith("http://", StringComparison.Ordinal) || url.StartsWith("https://", StringComparison.Ordinal);

    private async Task<MessageResponse> WaitForUpdateAsync(Snowflake channelId, Snowflake messageId)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var update = (await app.EventsAsync(EventScope.Channel, channelId))
                .Where(e => e.Type == "MessageUpdated")
                .Select(e => JsonSerializer.Deserialize<MessageResponse>(e.Payload, Api.Json)!)
                .FirstOrDefault(m => m.Id == messageId);
            if (update is not null)
                return update;
            if (waited.Elapsed > TimeSpan.FromMinutes(2))
                throw new TimeoutException($"No MessageUpdated for {messageId} after {waited.Elapsed}.");
            await Task.Delay(100);
        }
    }

    private static async Task WaitUntilGoneAsync(IMediaStorage storage, Snowflake attachmentId)
    {
        var waited = Stopwatch.StartNew();
        while (await storage.ListAsync(DeleteAttachmentFilesJob.Prefix(attachmentId)).AnyAsync())
        {
            if (waited.Elapsed > TimeSpan.FromMinutes(1))
                throw new TimeoutException($"The files of attachment {attachmentId} are still stored after {waited.Elapsed}.");
            await Task.Delay(100);
        }
    }

    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteUploadTests(UploadSqliteApp app, MediaSamples samples) : UploadTests(app, samples), IClassFixture<UploadSqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresUploadTests(UploadPostgresApp app, MediaSamples samples) : UploadTests(app, samples), IClassFixture<UploadPostgresApp>;
