using System.Globalization;
using System.Text.Json;

namespace KamaChat.Server.Infrastructure.Media;

/// <summary>What ffprobe says about a video or audio file.</summary>
/// <param name="Container">ffprobe's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi".</param>
/// <param name="Width">Display width (rotation applied); 0 without video.</param>
public sealed record MediaProbe(string Container, TimeSpan Duration, string? VideoCodec, string? PixelFormat, int Width, int Height, string? AudioCodec)
{
    public bool HasVideo => VideoCodec is not null;

    public bool HasAudio => AudioCodec is not null;

    /// <summary>
    /// Whether every current browser plays the file as it is: H.264 (8-bit 4:2:0) with AAC/MP3 in MP4/MOV, or
    /// VP8/VP9/AV1 with Opus/Vorbis in WebM. HEVC, MPEG-4 Part 2, 10-bit H.264, AVI and Matroska need a transcode.
    /// (ffprobe names Matroska and WebM alike, so the sniffed type tells them apart.)
    /// </summary>
    public bool IsBrowserPlayableVideo(SniffedType sniffed)
    {
        if (sniffed == MediaSniffer.Mp4 || sniffed == MediaSniffer.QuickTime)
            return VideoCodec == "h264" && PixelFormat is "yuv420p" or "yuvj420p" && AudioCodec is null or "aac" or "mp3";
        if (sniffed == MediaSniffer.WebM)
            return VideoCodec is "vp8" or "vp9" or "av1" && AudioCodec is null or "opus" or "vorbis";
        return false;
    }

    /// <summary>Audio codecs browsers play in their usual containers (MP3, AAC/M4A, Ogg, WAV, FLAC).</summary>
    public bool IsBrowserPlayableAudio => AudioCodec is "mp3" or "aac" or "opus" or "vorbis" or "flac" or "pcm_s16le" or "pcm_u8" or "pcm_s24le" or "pcm_f32le";

    /// <summary>Reads <c>ffprobe -print_format json -show_format -show_streams</c> output.</summary>
    public static MediaProbe Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var format = root.TryGetProperty("format", out var f) ? f : default;
        var container = format.ValueKind == JsonValueKind.Object && format.TryGetProperty("format_name", out var name) ? name.GetString() ?? "" : "";
        var duration = Seconds(format, "duration");
        string? videoCodec = null, pixelFormat = null, audioCodec = null;
        int width = 0, height = 0;
        if (root.TryGetProperty("streams", out var streams))
        {
            foreach (var stream in streams.EnumerateArray())
            {
                var type = stream.TryGetProperty("codec_type", out var t) ? t.GetString() : null;
                var codec = stream.TryGetProperty("codec_name", out var c) ? c.GetString() : null;
                // Cover art in an MP3 or M4A is a "video" stream of one picture: not a video.
                var attachedPicture = stream.TryGetProperty("disposition", out var disposition) &&
                                      disposition.TryGetProperty("attached_pic", out var pic) && pic.GetInt32() == 1;
                if (type == "video" && videoCodec is null && !attachedPicture)
                {
                    videoCodec = codec;
                    pixelFormat = stream.TryGetProperty("pix_fmt", out var p) ? p.GetString() : null;
                    width = stream.TryGetProperty("width", out var w) ? w.GetInt32() : 0;
                    height = stream.TryGetProperty("height", out var h) ? h.GetInt32() : 0;
                    if (Math.Abs(Rotation(stream)) % 180 == 90)
                        (width, height) = (height, width);
                    if (duration == TimeSpan.Zero)
                        duration = Seconds(stream, "duration");
                }
                else if (type == "audio" && audioCodec is null)
                {
                    audioCodec = codec;
                    if (duration == TimeSpan.Zero)
                        duration = Seconds(stream, "duration");
                }
            }
        }
        return new MediaProbe(container, duration, videoCodec, pixelFormat, width, height, audioCodec);
    }

    private static int Rotation(JsonElement stream)
    {
        if (stream.TryGetProperty("side_data_list", out var sideData))
        {
            foreach (var item in sideData.EnumerateArray())
            {
                if (item.TryGetProperty("rotation", out var rotation) && rotation.ValueKind == JsonValueKind.Number)
                    return rotation.GetInt32();
            }
        }
        if (stream.TryGetProperty("tags", out var tags) && tags.TryGetProperty("rotate", out var rotate) &&
            int.TryParse(rotate.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var degrees))
            return degrees;
        return 0;
    }

    private static TimeSpan Seconds(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) &&
        double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && double.IsFinite(seconds)
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.Zero;
}
