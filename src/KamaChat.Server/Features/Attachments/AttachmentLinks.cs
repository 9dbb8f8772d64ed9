using KamaChat.Server.Infrastructure.Media;
using KamaChat.Server.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Attachments;

/// <summary>An attachment as messages carry it: what is known about the file and signed, expiring URLs to read it.</summary>
/// <param name="State">pending, processing, ready, failed or blocked.</param>
/// <param name="Url">The original (for display when <paramref name="State"/> is ready and the type is safe inline, else a download); null until processed and when blocked.</param>
public sealed record AttachmentSummary(
    Snowflake Id,
    string FileName,
    string ContentType,
    long Size,
    int? Width,
    int? Height,
    int? DurationMs,
    string? Placeholder,
    string? Waveform,
    string State,
    int Progress,
    string? Url,
    string? ThumbnailUrl,
    string? PreviewUrl,
    string? PlaybackUrl);

/// <summary>The columns <see cref="AttachmentLinks"/> needs, read with one projection per page of messages.</summary>
public sealed record AttachmentRow(
    Snowflake MessageId, Snowflake Id, string FileName, string ContentType, long Size, int? Width, int? Height, int? DurationMs,
    string? Placeholder, string? Waveform, AttachmentState State, int Progress, string StorageKey, string? ThumbnailKey, string? PreviewKey, string? PlaybackKey);

/// <summary>
/// Turns attachment rows into <see cref="AttachmentSummary"/>s. Only people who may read the channel are given these
/// (they come with messages), and the URLs expire, so a link pasted elsewhere stops working. Expiries are whole periods
/// of <see cref="UploadOptions.UrlLifetime"/> ahead, so one message read twice in a period gets the same URLs and the
/// browser (or a CDN) caches the bytes once.
/// </summary>
public sealed class AttachmentLinks(IMediaStorage storage, IOptions<UploadOptions> options, TimeProvider time)
{
    /// <summary>The rows of attachments that belong to a message (EF reads the columns and calls <see cref="RowOf"/> last).</summary>
    public static IQueryable<AttachmentRow> Rows(IQueryable<Attachment> attachments) => attachments.Select(a => RowOf(a));

    public static AttachmentRow RowOf(Attachment a) => new(
        a.MessageId!.Value, a.Id, a.FileName, a.ContentType, a.Size, a.Width, a.Height, a.DurationMs, a.Placeholder, a.Waveform,
        a.State, a.ProcessingProgress, a.StorageKey, a.ThumbnailKey, a.PreviewKey, a.PlaybackKey);

    public AttachmentSummary Describe(AttachmentRow a)
    {
        var lifetime = Lifetime();
        var ready = a.State == AttachmentState.Ready;
        string? url = null;
        if (a.State is AttachmentState.Ready or AttachmentState.Failed)
            url = ready && MediaSniffer.IsInline(a.ContentType)
                ? Read(a.StorageKey, lifetime, new ReadUrlOptions(a.ContentType))
                : Read(a.StorageKey, lifetime, new ReadUrlOptions("application/octet-stream", a.FileName));
        return new AttachmentSummary(
            a.Id, a.FileName, a.ContentType, a.Size, a.Width, a.Height, a.DurationMs, a.Placeholder, a.Waveform,
            StateName(a.State), a.Progress, url,
            ready && a.ThumbnailKey is { } thumbnail ? Read(thumbnail, lifetime, new ReadUrlOptions("image/webp")) : null,
            ready && a.PreviewKey is { } preview ? Read(preview, lifetime, new ReadUrlOptions("image/webp")) : null,
            ready && a.PlaybackKey is { } playback ? Read(playback, lifetime, new ReadUrlOptions("video/mp4")) : null);
    }

    public static string StateName(AttachmentState state) => state switch
    {
        AttachmentState.Pending => "pending",
        AttachmentState.Processing => "processing",
        AttachmentState.Ready => "ready",
        AttachmentState.Failed => "failed",
        _ => "blocked",
    };

    /// <summary>A URL that shows the stored file <paramref name="key"/> as <paramref name="contentType"/>, expiring as attachments' do (a preview's picture).</summary>
    public string Inline(string key, string contentType) => Read(key, Lifetime(), new ReadUrlOptions(contentType));

    private string Read(string key, TimeSpan lifetime, ReadUrlOptions readOptions) => storage.GetReadUrl(key, lifetime, readOptions).ToString();

    /// <summary>From now to the end of the next whole period (between one and two periods).</summary>
    private TimeSpan Lifetime()
    {
        var now = time.GetUtcNow();
        var period = options.Value.UrlLifetime.Ticks;
        var end = new DateTimeOffset((now.UtcTicks / period + 2) * period, TimeSpan.Zero);
        return end - now;
    }
}
