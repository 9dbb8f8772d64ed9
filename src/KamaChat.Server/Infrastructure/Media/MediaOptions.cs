using System.Globalization;
using KamaChat.Server.Infrastructure.Configuration;

namespace KamaChat.Server.Infrastructure.Media;

/// <summary>Limits and sizes for image, video and audio processing (KAMACHAT_MEDIA_* variables).</summary>
public sealed class MediaOptions : ISettingErrors
{
    /// <summary>Images (all frames together) with more pixels are refused from their header, before any decoding.</summary>
    public long MaxImagePixels { get; set; } = 100_000_000;

    /// <summary>Long edges of the WebP thumbnails of an image or a video's poster.</summary>
    public int[] ThumbnailSizes { get; set; } = [400, 1600];

    /// <summary>Sides of the square crops of avatars and server icons.</summary>
    public int[] AvatarSizes { get; set; } = [64, 128, 512];

    /// <summary>Widths of the 5:2 crops of profile and server banners.</summary>
    public int[] BannerWidths { get; set; } = [600, 1200];

    /// <summary>ffmpeg/ffprobe processes at once on this node (each uses several cores).</summary>
    public int FfmpegConcurrency { get; set; } = 1;

    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan TranscodeTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Longest video or audio that is processed; longer ones stay downloads.</summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromHours(3);

    /// <summary>Long edge of transcoded video.</summary>
    public int MaxVideoSide { get; set; } = 1920;

    public string FfmpegPath { get; set; } = "ffmpeg";

    public string FfprobePath { get; set; } = "ffprobe";

    public List<string> Errors { get; } = [];

    public static void Bind(MediaOptions options, IConfiguration configuration)
    {
        if (configuration["KAMACHAT_MAX_IMAGE_PIXELS"] is { Length: > 0 } pixels)
        {
            if (long.TryParse(pixels, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1_000_000)
                options.MaxImagePixels = value;
            else
                options.Errors.Add($"KAMACHAT_MAX_IMAGE_PIXELS must be a whole number of at least 1000000 (got '{pixels}').");
        }
        options.FfmpegConcurrency = Number(configuration, "KAMACHAT_FFMPEG_CONCURRENCY", options.FfmpegConcurrency, 1, 64, options.Errors);
        options.ProbeTimeout = TimeSpan.FromSeconds(Number(configuration, "KAMACHAT_PROBE_TIMEOUT_SECONDS", (int)options.ProbeTimeout.TotalSeconds, 1, 3600, options.Errors));
        options.TranscodeTimeout = TimeSpan.FromMinutes(Number(configuration, "KAMACHAT_TRANSCODE_TIMEOUT_MINUTES", (int)options.TranscodeTimeout.TotalMinutes, 1, 24 * 60, options.Errors));
        if (configuration["KAMACHAT_FFMPEG"] is { Length: > 0 } ffmpeg)
            options.FfmpegPath = ffmpeg;
        if (configuration["KAMACHAT_FFPROBE"] is { Length: > 0 } ffprobe)
            options.FfprobePath = ffprobe;
    }

    private static int Number(IConfiguration configuration, string name, int fallback, int min, int max, List<string> errors) =>
        WholeNumberSetting.Read(configuration, name, fallback, min, max, $"from {min} to {max}", errors);
}
