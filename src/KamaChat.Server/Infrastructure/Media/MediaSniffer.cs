using System.Collections.Frozen;
using System.Text;

namespace KamaChat.Server.Infrastructure.Media;

public enum MediaKind
{
    /// <summary>Anything we do not recognise, and every script-capable type (HTML, SVG, XML): a download, never inline.</summary>
    Other,
    Image,
    Video,
    Audio,
    Pdf,
}

/// <summary>
/// A type known from the file's first bytes. <see cref="Inline"/> types may be shown in the page once processing has
/// confirmed them by decoding; others (AVI, Matroska, ...) are recognised so they can be transcoded.
/// </summary>
public sealed record SniffedType(string ContentType, MediaKind Kind, string Extension, bool Inline)
{
    public static readonly SniffedType Unknown = new("application/octet-stream", MediaKind.Other, "bin", false);
}

/// <summary>
/// Tells a file's type from its magic bytes, never from its name or the Content-Type a client sent
/// (there is no maintained MIME sniffer package to be had, and we need only these).
/// </summary>
public static class MediaSniffer
{
    /// <summary>How many leading bytes <see cref="Sniff"/> looks at.</summary>
    public const int HeaderLength = 64;

    public static readonly SniffedType Jpeg = new("image/jpeg", MediaKind.Image, "jpg", true);
    public static readonly SniffedType Png = new("image/png", MediaKind.Image, "png", true);
    public static readonly SniffedType Gif = new("image/gif", MediaKind.Image, "gif", true);
    public static readonly SniffedType WebP = new("image/webp", MediaKind.Image, "webp", true);
    public static readonly SniffedType Avif = new("image/avif", MediaKind.Image, "avif", true);
    public static readonly SniffedType Heic = new("image/heic", MediaKind.Image, "heic", true);
    public static readonly SniffedType Mp4 = new("video/mp4", MediaKind.Video, "mp4", true);
    public static readonly SniffedType QuickTime = new("video/quicktime", MediaKind.Video, "mov", true);
    public static readonly SniffedType WebM = new("video/webm", MediaKind.Video, "webm", true);
    public static readonly SniffedType Matroska = new("video/x-matroska", MediaKind.Video, "mkv", false);
    public static readonly SniffedType Avi = new("video/x-msvideo", MediaKind.Video, "avi", false);
    public static readonly SniffedType Mp3 = new("audio/mpeg", MediaKind.Audio, "mp3", true);
    public static readonly SniffedType M4a = new("audio/mp4", MediaKind.Audio, "m4a", true);
    public static readonly SniffedType Ogg = new("audio/ogg", MediaKind.Audio, "ogg", true);
    public static readonly SniffedType Wav = new("audio/wav", MediaKind.Audio, "wav", true);
    public static readonly SniffedType Flac = new("audio/flac", MediaKind.Audio, "flac", true);
    public static readonly SniffedType Pdf = new("application/pdf", MediaKind.Pdf, "pdf", true);

    private static readonly FrozenSet<string> InlineTypes = new[]
    {
        Jpeg, Png, Gif, WebP, Avif, Heic, Mp4, QuickTime, WebM, Matroska, Avi, Mp3, M4a, Ogg, Wav, Flac, Pdf,
    }.Where(t => t.Inline).Select(t => t.ContentType).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Whether a sniffed content type may be served for display in the page (never HTML, SVG, XML or unknowns).</summary>
    public static bool IsInline(string contentType) => InlineTypes.Contains(contentType);

    private static readonly string[] HeicBrands = ["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs"];
    private static readonly string[] AvifBrands = ["avif", "avis"];

    public static SniffedType Sniff(ReadOnlySpan<byte> header)
    {
        if (header.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
            return Jpeg;
        if (header.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
            return Png;
        if (header.StartsWith("GIF87a"u8) || header.StartsWith("GIF89a"u8))
            return Gif;
        if (header.StartsWith("%PDF-"u8))
            return Pdf;
        if (header.Length >= 12 && header.StartsWith("RIFF"u8))
        {
            var form = header[8..12];
            if (form.SequenceEqual("WEBP"u8))
                return WebP;
            if (form.SequenceEqual("WAVE"u8))
                return Wav;
            if (form.SequenceEqual("AVI "u8))
                return Avi;
            return SniffedType.Unknown;
        }
        if (header.Length >= 12 && header[4..8].SequenceEqual("ftyp"u8))
            return IsoMedia(header);
        // QuickTime files from old cameras start with a movie atom rather than ftyp.
        if (header.Length >= 8 && (header[4..8].SequenceEqual("moov"u8) || header[4..8].SequenceEqual("mdat"u8) || header[4..8].SequenceEqual("wide"u8)))
            return QuickTime;
        if (header.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3]))
            return header.IndexOf("webm"u8) >= 0 ? WebM : header.IndexOf("matroska"u8) >= 0 ? Matroska : SniffedType.Unknown;
        if (header.StartsWith("OggS"u8))
            return Ogg;
        if (header.StartsWith("fLaC"u8))
            return Flac;
        if (header.StartsWith("ID3"u8) || IsMpegAudioFrame(header))
            return Mp3;
        return SniffedType.Unknown;
    }

    public static async Task<SniffedType> SniffFileAsync(string path, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderLength];
        await using var file = File.OpenRead(path);
        var read = await file.ReadAtLeastAsync(header, HeaderLength, throwOnEndOfStream: false, cancellationToken);
        return Sniff(header.AsSpan(0, read));
    }

    /// <summary>ISO base media (MP4, MOV, HEIF, AVIF): the major brand, then the compatible brands, decide.</summary>
    private static SniffedType IsoMedia(ReadOnlySpan<byte> header)
    {
        var boxSize = (header[0] << 24) | (header[1] << 16) | (header[2] << 8) | header[3];
        var end = Math.Min(header.Length, Math.Max(16, boxSize));
        var major = Encoding.ASCII.GetString(header[8..12]);
        var brands = new List<string> { major };
        for (var at = 16; at + 4 <= end; at += 4)
            brands.Add(Encoding.ASCII.GetString(header[at..(at + 4)]));

        if (AvifBrands.Contains(major))
            return Avif;
        if (HeicBrands.Contains(major))
            return Heic;
        // mif1/msf1 (generic HEIF) say what they hold only in the compatible brands.
        if (major is "mif1" or "msf1")
            return brands.Any(AvifBrands.Contains) ? Avif : brands.Any(HeicBrands.Contains) ? Heic : SniffedType.Unknown;
        if (major == "qt  ")
            return QuickTime;
        if (major is "M4A " or "M4B ")
            return M4a;
        return Mp4;
    }

    /// <summary>An MPEG-1/2 audio frame header: 11 sync bits, a valid version, layer III, and a bitrate that is not "bad".</summary>
    private static bool IsMpegAudioFrame(ReadOnlySpan<byte> header) =>
        header.Length >= 3 && header[0] == 0xFF && (header[1] & 0xE0) == 0xE0 &&
        (header[1] & 0x18) != 0x08 && (header[1] & 0x06) == 0x02 && (header[2] & 0xF0) != 0xF0;
}
