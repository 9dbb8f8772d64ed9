using System.Diagnostics;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Infrastructure.Ids;
using KamaChat.Server.Infrastructure.Jobs;
using KamaChat.Server.Infrastructure.Storage;
using KamaChat.Tests.Infrastructure;
using KamaChat.Tests.Media;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Attachments;

/// <summary>The app with ClamAV on; SQLite keeps media on local disk, PostgreSQL in S3 (both real, both throwaway).</summary>
public sealed class ProcessingSqliteApp : KamaChatApp
{
    public override string ProviderName => "sqlite";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));

    protected override async Task<IReadOnlyDictionary<string, string?>> SettingsAsync() =>
        new Dictionary<string, string?> { ["CLAMAV_URL"] = (await ClamAvServer.UrlsAsync()).Tcp.ToString() };
}

public sealed class ProcessingPostgresApp : KamaChatApp
{
    public override string ProviderName => "postgres";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => PostgresServer.CreateDatabaseAsync();

    protected override async Task<IReadOnlyDictionary<string, string?>> SettingsAsync() => new Dictionary<string, string?>
    {
        ["CLAMAV_URL"] = (await ClamAvServer.UrlsAsync()).Unix.ToString(),
        ["S3_BUCKET"] = S3TestServer.Bucket,
        ["S3_ENDPOINT"] = (await S3TestServer.EndpointAsync()).ToString(),
        ["S3_ACCESS_KEY"] = S3TestServer.AccessKey,
        ["S3_SECRET_KEY"] = S3TestServer.SecretKey,
    };
}

/// <summary>
/// The processing job end to end, through the app's own job queue, storage and database: an upload goes in, the row
/// ends ready, failed or blocked with what the client needs, and the derivatives are in storage.
/// </summary>
[Collection("libvips")]
public abstract class AttachmentProcessingTests(KamaChatApp app, MediaSamples samples) : IClassFixture<MediaSamples>
{
    [Fact]
    public async Task A_photo_with_gps_ends_ready_with_thumbnails_a_placeholder_and_a_clean_original()
    {
        var photo = samples.Image($"gps-{Guid.NewGuid():N}.jpg", 1200, 800);
        MediaSamples.Run("exiftool", ["-overwrite_original", "-GPSLatitude=48.8584", "-GPSLatitudeRef=N", "-GPSLongitude=2.2945", "-GPSLongitudeRef=E", photo]);

        var (attachment, storage) = await ProcessAsync(photo, "holiday.jpg");

        Assert.Equal((AttachmentState.Ready, "image/jpeg", 1200, 800), (attachment.State, attachment.ContentType, attachment.Width, attachment.Height));
        Assert.InRange(Convert.FromBase64String(attachment.Placeholder!).Length, 20, 30);
        Assert.EndsWith("/thumb-400.webp", attachment.ThumbnailKey, StringComparison.Ordinal);
        Assert.EndsWith("/thumb-1600.webp", attachment.PreviewKey, StringComparison.Ordinal);
        Assert.EndsWith("/clean.jpg", attachment.StorageKey, StringComparison.Ordinal);
        Assert.True(await storage.ExistsAsync(attachment.ThumbnailKey!));
        await UntilGoneAsync(storage, OriginalKey(attachment.Id)); // the upload with GPS is gone
        var clean = samples.PathOf($"clean-{attachment.Id}.jpg");
        await using (var read = await storage.GetAsync(attachment.StorageKey))
        await using (var file = File.Create(clean))
            await read!.Content.CopyToAsync(file);
        Assert.DoesNotContain(MediaSamples.Tags(clean).Keys, tag => tag.StartsWith("GPS:", StringComparison.Ordinal));
        Assert.Equal(100, attachment.ProcessingProgress);
    }

    [Fact]
    public async Task A_video_that_browsers_cannot_play_gets_a_poster_and_an_mp4()
    {
        var avi = samples.Ffmpeg($"clip-{Guid.NewGuid():N}.avi", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=2", "-f", "lavfi",
            "-i", "sine=duration=2", "-c:v", "mpeg4", "-c:a", "libmp3lame", "-shortest");

        var (attachment, storage) = await ProcessAsync(avi, "clip.avi");

        Assert.Equal((AttachmentState.Ready, "video/x-msvideo", 320, 240), (attachment.State, attachment.ContentType, attachment.Width, attachment.Height));
        Assert.InRange(attachment.DurationMs!.Value, 1900, 2200);
        Assert.EndsWith("/playback.mp4", attachment.PlaybackKey, StringComparison.Ordinal);
        Assert.True(await storage.ExistsAsync(attachment.PlaybackKey!));
        Assert.True(await storage.ExistsAsync(attachment.ThumbnailKey!));
        Assert.NotNull(attachment.Placeholder);
    }

    [Fact]
    public async Task Audio_gets_a_duration_and_a_waveform()
    {
        var mp3 = samples.Ffmpeg($"tone-{Guid.NewGuid():N}.mp3", "-f", "lavfi", "-i", "sine=frequency=300:duration=3", "-c:a", "libmp3lame");

        var (attachment, _) = await ProcessAsync(mp3, "tone.mp3");

        Assert.Equal((AttachmentState.Ready, "audio/mpeg"), (attachment.State, attachment.ContentType));
        Assert.InRange(attachment.DurationMs!.Value, 2900, 3200);
        Assert.Equal(100, Convert.FromBase64String(attachment.Waveform!).Length);
        Assert.Null(attachment.PlaybackKey);
    }

    [Fact]
    public async Task A_decompression_bomb_ends_failed_and_stays_a_download()
    {
        var bomb = samples.PathOf($"bomb-{Guid.NewGuid():N}.png");
        // 20,000 × 20,000 declared in the header, then junk: refused before any decoding.
        using (var image = NetVips.Image.Black(8, 8))
            image.WriteToFile(bomb);
        var bytes = File.ReadAllBytes(bomb);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), 20_000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), 20_000);
        File.WriteAllBytes(bomb, bytes);

        var (attachment, storage) = await ProcessAsync(bomb, "bomb.png");

        Assert.Equal((AttachmentState.Failed, "too_many_pixels", "application/octet-stream"), (attachment.State, attachment.ProcessingError, attachment.ContentType));
        Assert.Null(attachment.ThumbnailKey);
        Assert.True(await storage.ExistsAsync(attachment.StorageKey));
    }

    [Fact]
    public async Task Html_named_cat_jpg_is_a_download_not_an_image()
    {
        var html = samples.PathOf($"cat-{Guid.NewGuid():N}.jpg");
        await File.WriteAllTextAsync(html, "<html><script>alert(1)</script></html>");

        var (attachment, _) = await ProcessAsync(html, "cat.jpg");

        Assert.Equal((AttachmentState.Ready, "application/octet-stream"), (attachment.State, attachment.ContentType));
        Assert.Null(attachment.ThumbnailKey);
    }

    [Fact]
    public async Task A_file_clamav_recognises_is_blocked_and_its_bytes_deleted()
    {
        var malware = samples.PathOf($"malware-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(malware, ClamAvServer.TestMalware);

        var (attachment, storage) = await ProcessAsync(malware, "invoice.pdf");

        Assert.Equal((AttachmentState.Blocked, "infected"), (attachment.State, attachment.ProcessingError));
        Assert.False(await storage.ExistsAsync(OriginalKey(attachment.Id)));
    }

    [Fact]
    public async Task Running_the_job_again_changes_nothing()
    {
        var (attachment, _) = await ProcessAsync(samples.Image($"twice-{Guid.NewGuid():N}.png", 200, 100), "twice.png");

        await using var scope = app.Services.CreateAsyncScope();
        var handler = scope.ServiceProvider.GetRequiredService<IJobHandler<ProcessAttachmentJob>>();
        await handler.HandleAsync(new ProcessAttachmentJob(attachment.Id), new JobContext("again", 2), CancellationToken.None);

        var again = await app.QueryAsync(db => db.Set<Attachment>().AsNoTracking().SingleAsync(a => a.Id == attachment.Id));
        Assert.Equal((attachment.State, attachment.StorageKey, attachment.ThumbnailKey, attachment.Placeholder),
            (again.State, again.StorageKey, again.ThumbnailKey, again.Placeholder));
    }

    private static string OriginalKey(Snowflake id) => $"attachments/{id}/original";

    /// <summary>
    /// The job deletes the upload only after the row points at its replacement (a crash in between leaves an orphan,
    /// never a row without a file), so a test that saw the row ready waits for that last step instead of racing it.
    /// </summary>
    private static async Task UntilGoneAsync(IMediaStorage storage, string key)
    {
        var waited = Stopwatch.StartNew();
        while (await storage.ExistsAsync(key))
        {
            if (waited.Elapsed > TimeSpan.FromMinutes(1))
                Assert.Fail($"{key} is still stored {waited.Elapsed} after its attachment was ready.");
            await Task.Delay(50);
        }
    }

    /// <summary>Stores the file as an upload, adds its row, enqueues the job, and waits for the row to leave processing.</summary>
    private async Task<(Attachment, IMediaStorage)> ProcessAsync(string path, string fileName)
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var storage = app.Services.GetRequiredService<IMediaStorage>();
        var id = app.Services.GetRequiredService<SnowflakeGenerator>().NextId();
        await using (var file = File.OpenRead(path))
            await storage.PutAsync(OriginalKey(id), file, file.Length, "application/octet-stream");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
            db.Set<Attachment>().Add(new Attachment
            {
                Id = id, ChannelId = channelId, UploaderId = owner.Id, StorageKey = OriginalKey(id), FileName = AttachmentFileName.Sanitize(fileName),
                ContentType = "application/octet-stream", Size = new FileInfo(path).Length, State = AttachmentState.Pending, CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        await app.Services.GetRequiredService<IJobQueue>().EnqueueAsync(new ProcessAttachmentJob(id));

        var waited = Stopwatch.StartNew();
        while (true)
        {
            var row = await app.QueryAsync(db => db.Set<Attachment>().AsNoTracking().SingleAsync(a => a.Id == id));
            if (row.State is AttachmentState.Ready or AttachmentState.Failed or AttachmentState.Blocked)
                return (row, storage);
            if (waited.Elapsed > TimeSpan.FromMinutes(2))
                throw new TimeoutException($"Attachment {id} is still {row.State} after {waited.Elapsed}.");
            await Task.Delay(100);
        }
    }
}

public sealed class SqliteAttachmentProcessingTests(ProcessingSqliteApp app, MediaSamples samples)
    : AttachmentProcessingTests(app, samples), IClassFixture<ProcessingSqliteApp>;

public sealed class PostgresAttachmentProcessingTests(ProcessingPostgresApp app, MediaSamples samples)
    : AttachmentProcessingTests(app, samples), IClassFixture<ProcessingPostgresApp>;
