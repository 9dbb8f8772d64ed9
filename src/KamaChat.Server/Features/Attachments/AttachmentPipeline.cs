using KamaChat.Server.Infrastructure.Media;
using KamaChat.Server.Infrastructure.Storage;

namespace KamaChat.Server.Features.Attachments;

/// <summary>
/// The processing of one stored upload: the original comes from storage into a temp folder (streamed), its type is
/// sniffed from the bytes, it is scanned when ClamAV is configured, then images go through libvips, video and audio
/// through ffmpeg, and every derivative goes back to storage next to the original.
/// </summary>
public sealed class AttachmentPipeline(IMediaStorage storage, IVirusScanner scanner, ImageProcessor images, FfmpegProcessor ffmpeg,
    ILogger<AttachmentPipeline> logger)
{
    private const int WaveformPeaks = 100;

    public async Task<AttachmentProcessingResult> ProcessAsync(AttachmentToProcess attachment, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("kamachat-attachment-").FullName;
        try
        {
            var original = Path.Combine(work, "upload");
            await using (var stored = await storage.GetAsync(attachment.StorageKey, cancellationToken: cancellationToken))
            {
                if (stored is null)
                    return new AttachmentProcessingResult(AttachmentState.Failed, "application/octet-stream", attachment.StorageKey, Error: "missing");
                await using var file = File.Create(original);
                await stored.Content.CopyToAsync(file, cancellationToken);
            }
            var type = await MediaSniffer.SniffFileAsync(original, cancellationToken);

            if (scanner.IsConfigured)
            {
                await using var content = File.OpenRead(original);
                var scan = await scanner.ScanAsync(content, cancellationToken);
                if (scan.Verdict == ScanVerdict.Infected)
                {
                    logger.LogWarning("Attachment {AttachmentId} matched {Signature}; its bytes are deleted.", attachment.Id, scan.Signature);
                    await storage.DeleteAsync(attachment.StorageKey, cancellationToken);
                    return new AttachmentProcessingResult(AttachmentState.Blocked, type.ContentType, attachment.StorageKey, Error: "infected");
                }
            }

            var prefix = attachment.StorageKey[..(attachment.StorageKey.LastIndexOf('/') + 1)];
            try
            {
                return type.Kind switch
                {
                    MediaKind.Image => await ImageAsync(attachment, original, type, prefix, work, cancellationToken),
                    MediaKind.Video or MediaKind.Audio => await AudioVisualAsync(attachment, original, type, prefix, work, progress, cancellationToken),
                    _ => new AttachmentProcessingResult(AttachmentState.Ready, type.ContentType, attachment.StorageKey),
                };
            }
            catch (MediaProcessingException e)
            {
                logger.LogInformation("Attachment {AttachmentId} ({ContentType}) could not be processed: {Code} {Reason}", attachment.Id, type.ContentType, e.Code, e.Message);
                // Still downloadable, never shown inline: a file that does not decode is not the type its bytes claim.
                return new AttachmentProcessingResult(AttachmentState.Failed, type.Kind == MediaKind.Other ? type.ContentType : "application/octet-stream",
                    attachment.StorageKey, Error: e.Code);
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private async Task<AttachmentProcessingResult> ImageAsync(AttachmentToProcess attachment, string original, SniffedType type, string prefix, string work,
        CancellationToken cancellationToken)
    {
        var output = Directory.CreateDirectory(Path.Combine(work, "out")).FullName;
        var processed = await Task.Run(() => images.Process(original, type, output), cancellationToken);
        var keys = await UploadAsync(prefix, processed.Thumbnails, cancellationToken);
        var storageKey = attachment.StorageKey;
        var contentType = type.ContentType;
        if (processed.CleanOriginal is { } clean)
        {
            storageKey = (await UploadAsync(prefix, [clean with { Name = "clean" }], cancellationToken))[0];
            contentType = clean.ContentType;
        }
        return new AttachmentProcessingResult(AttachmentState.Ready, contentType, storageKey, processed.Width, processed.Height,
            Placeholder: Convert.ToBase64String(processed.Placeholder), ThumbnailKey: keys[0], PreviewKey: keys[^1]);
    }

    private async Task<AttachmentProcessingResult> AudioVisualAsync(AttachmentToProcess attachment, string original, SniffedType type, string prefix, string work,
        IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var probe = await ffmpeg.ProbeAsync(original, cancellationToken);
        var duration = (int)Math.Min(int.MaxValue, probe.Duration.TotalMilliseconds);
        var output = Directory.CreateDirectory(Path.Combine(work, "out")).FullName;

        if (!probe.HasVideo)
        {
            var peaks = await ffmpeg.WaveformAsync(original, WaveformPeaks, cancellationToken);
            string? audioPlayback = null;
            // A video container holding only sound (WebM, MP4 voice notes) is audio to the player.
            var audioType = type.ContentType.Replace("video/", "audio/", StringComparison.Ordinal);
            if (!probe.IsBrowserPlayableAudio)
            {
                var converted = Path.Combine(output, "playback.m4a");
                await ffmpeg.ConvertToMp4Async(original, type, probe, converted, progress, cancellationToken);
                audioPlayback = (await UploadAsync(prefix, [new Rendition("playback", converted, "audio/mp4", 0, 0)], cancellationToken))[0];
            }
            return new AttachmentProcessingResult(AttachmentState.Ready, audioType, attachment.StorageKey, DurationMs: duration,
                PlaybackKey: audioPlayback, Waveform: Convert.ToBase64String(peaks));
        }

        var poster = Path.Combine(work, "poster.png");
        await ffmpeg.ExtractPosterAsync(original, probe, poster, cancellationToken);
        var posterImage = await Task.Run(() => images.Process(poster, MediaSniffer.Png, output), cancellationToken);
        var keys = await UploadAsync(prefix, posterImage.Thumbnails, cancellationToken);

        // WebM that plays is served as it is; MP4/MOV that plays is remuxed (no re-encode) to drop metadata and add
        // faststart; anything else is transcoded.
        string? playback = null;
        if (!(type == MediaSniffer.WebM && probe.IsBrowserPlayableVideo(type)))
        {
            var converted = Path.Combine(output, "playback.mp4");
            await ffmpeg.ConvertToMp4Async(original, type, probe, converted, progress, cancellationToken);
            playback = (await UploadAsync(prefix, [new Rendition("playback", converted, "video/mp4", probe.Width, probe.Height)], cancellationToken))[0];
        }
        return new AttachmentProcessingResult(AttachmentState.Ready, type.ContentType.Replace("audio/", "video/", StringComparison.Ordinal),
            attachment.StorageKey, probe.Width, probe.Height, duration, Convert.ToBase64String(posterImage.Placeholder),
            keys[0], keys[^1], playback);
    }

    /// <summary>Stores each rendition as <c>{prefix}{name}.{extension}</c> and returns the keys in order.</summary>
    private async Task<List<string>> UploadAsync(string prefix, IEnumerable<Rendition> renditions, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        foreach (var rendition in renditions)
        {
            var key = prefix + rendition.Name + Path.GetExtension(rendition.Path);
            await using var file = File.OpenRead(rendition.Path);
            await storage.PutAsync(key, file, file.Length, rendition.ContentType, cancellationToken);
            keys.Add(key);
        }
        return keys;
    }
}
