using System.Buffers.Binary;
using System.IO.Compression;
using KamaChat.Server.Infrastructure.Media;
using Microsoft.Extensions.Options;
using NetVips;

namespace KamaChat.Tests.Media;

/// <summary>
/// Every test that makes libvips work is in this one collection, so they run one after another: the pixel-bomb test
/// reads libvips' process-wide memory high-water mark, which only this collection's tests raise. The collection runs
/// beside the others (none of them reaches libvips), not after all of them.
/// </summary>
[CollectionDefinition("libvips")]
public sealed class LibvipsCollection;

[Collection("libvips")]
public sealed class ImageProcessorTests : IClassFixture<MediaSamples>
{
    private readonly MediaSamples _samples;
    private readonly ImageProcessor _images = new(Options.Create(new MediaOptions()));
    private readonly string _output;

    public ImageProcessorTests(MediaSamples samples)
    {
        _samples = samples;
        _output = Directory.CreateTempSubdirectory("kamachat-image-out-").FullName;
    }

    [Fact]
    public void The_bundled_libvips_is_the_one_loaded_not_debians()
    {
        // Debian 12 ships 8.14, whose WebP writer keeps GPS data even when asked to strip.
        Assert.True(NetVips.NetVips.Version(0) > 8 || NetVips.NetVips.Version(1) >= 18, $"libvips {NetVips.NetVips.Version(0)}.{NetVips.NetVips.Version(1)} was loaded");
    }

    [Fact]
    public void Gps_and_all_other_metadata_are_gone_and_the_orientation_is_applied()
    {
        var photo = _samples.Image("gps.jpg", 300, 200);
        MediaSamples.Run("exiftool", ["-overwrite_original", "-GPSLatitude=48.8584", "-GPSLatitudeRef=N", "-GPSLongitude=2.2945",
            "-GPSLongitudeRef=E", "-Make=KamaPhone", "-XMP-dc:Creator=Ada", "-Orientation#=6", photo]);
        var before = MediaSamples.Tags(photo);
        Assert.Contains("GPS:GPSLatitude", before.Keys); // the sample really carries a position

        var processed = _images.Process(photo, MediaSniffer.Jpeg, _output);

        Assert.NotNull(processed.CleanOriginal);
        Assert.Equal((200, 300), (processed.Width, processed.Height)); // rotated upright: orientation 6 is 90° clockwise
        foreach (var file in processed.Thumbnails.Append(processed.CleanOriginal))
        {
            var tags = MediaSamples.Tags(file.Path);
            Assert.DoesNotContain(tags.Keys, tag => tag.StartsWith("GPS:", StringComparison.Ordinal) || tag.StartsWith("XMP", StringComparison.Ordinal)
                || tag.StartsWith("IFD0:", StringComparison.Ordinal) || tag.StartsWith("ExifIFD:", StringComparison.Ordinal));
            Assert.DoesNotContain(tags.Values, value => value.Contains("KamaPhone", StringComparison.Ordinal) || value.Contains("48.858", StringComparison.Ordinal));
            using var image = Image.NewFromFile(file.Path);
            Assert.True(image.Height > image.Width, $"{file.Name} is {image.Width}×{image.Height}, not upright");
        }
    }

    [Fact]
    public void An_image_without_metadata_is_served_as_uploaded()
    {
        var screenshot = _samples.Image("clean.png", 320, 200);

        var processed = _images.Process(screenshot, MediaSniffer.Png, _output);

        Assert.Null(processed.CleanOriginal);
    }

    [Fact]
    public void Thumbnails_are_webp_at_400_and_1600_on_the_long_edge_and_never_enlarged()
    {
        var large = _samples.Image("large.png", 3000, 2000);
        var small = _samples.Image("small.png", 300, 200);

        var fromLarge = _images.Process(large, MediaSniffer.Png, _output);
        var largeSizes = fromLarge.Thumbnails.Select(t => (t.Name, t.Width, t.Height, t.ContentType)).ToList();
        var fromSmall = _images.Process(small, MediaSniffer.Png, Directory.CreateTempSubdirectory().FullName);

        Assert.Equal([("thumb-400", 400, 267, "image/webp"), ("thumb-1600", 1600, 1067, "image/webp")], largeSizes);
        Assert.All(fromLarge.Thumbnails, t => Assert.Equal(MediaSniffer.WebP, MediaSniffer.Sniff(File.ReadAllBytes(t.Path))));
        Assert.All(fromSmall.Thumbnails, t => Assert.Equal((300, 200), (t.Width, t.Height)));
        Assert.Equal((3000, 2000), (fromLarge.Width, fromLarge.Height));
    }

    [Fact]
    public void An_animated_gif_becomes_an_animated_webp_with_all_its_frames()
    {
        var gif = _samples.AnimatedGif("animated.gif", frames: 12);

        var processed = _images.Process(gif, MediaSniffer.Gif, _output);

        Assert.True(processed.Animated);
        foreach (var thumbnail in processed.Thumbnails)
        {
            using var webp = Image.NewFromFile(thumbnail.Path + "[n=-1]");
            Assert.Equal(12, webp.Height / webp.PageHeight);
            Assert.Equal(12, ((int[])webp.Get("delay")).Length);
        }
    }

    [Fact]
    public void Avatars_are_square_crops_at_64_128_and_512_and_animated_ones_stay_animated()
    {
        var still = _images.Avatar(_samples.Image("avatar.jpg", 300, 200), MediaSniffer.Jpeg, _output);
        var animated = _images.Avatar(_samples.AnimatedGif("avatar.gif", frames: 5), MediaSniffer.Gif, Directory.CreateTempSubdirectory().FullName);

        Assert.Equal([(64, 64), (128, 128), (512, 512)], still.Select(r => (r.Width, r.Height)));
        Assert.Equal([(64, 64), (128, 128), (512, 512)], animated.Select(r => (r.Width, r.Height)));
        foreach (var avatar in animated)
        {
            using var webp = Image.NewFromFile(avatar.Path + "[n=-1]");
            Assert.Equal((avatar.Width, 5), (webp.PageHeight, webp.Height / webp.PageHeight));
        }
    }

    [Fact]
    public void A_30000_by_30000_png_is_refused_from_its_header_without_decoding_it()
    {
        var bomb = WriteBlankPng(_samples.PathOf("bomb.png"), 30_000, 30_000);
        Assert.True(new FileInfo(bomb).Length < 2_000_000); // small on disk, 900 megapixels decoded
        var highwaterBefore = Stats.MemHighwater;

        var refused = Assert.Throws<MediaProcessingException>(() => _images.Process(bomb, MediaSniffer.Png, _output));

        Assert.Equal(MediaProcessingException.TooManyPixels, refused.Code);
        Assert.Contains("30000×30000", refused.Message, StringComparison.Ordinal);
        Assert.True(Stats.MemHighwater < highwaterBefore + 64L * 1024 * 1024, $"libvips allocated up to {Stats.MemHighwater} bytes");
        Assert.Empty(Directory.EnumerateFiles(_output));
    }

    [Fact]
    public void A_truncated_jpeg_is_undecodable()
    {
        var photo = File.ReadAllBytes(_samples.Image("whole.jpg", 800, 600));
        var truncated = _samples.PathOf("truncated.jpg");
        File.WriteAllBytes(truncated, photo[..(photo.Length / 2)]);

        var failure = Assert.Throws<MediaProcessingException>(() => _images.Process(truncated, MediaSniffer.Jpeg, _output));

        Assert.Equal(MediaProcessingException.Undecodable, failure.Code);
    }

    [Fact]
    public void Html_named_like_a_jpeg_is_not_an_image()
    {
        var lie = _samples.PathOf("cat.jpg");
        File.WriteAllText(lie, "<!doctype html><script>alert(document.cookie)</script>");

        Assert.Equal(SniffedType.Unknown, MediaSniffer.Sniff(File.ReadAllBytes(lie)));
        Assert.Throws<MediaProcessingException>(() => _images.Process(lie, MediaSniffer.Jpeg, _output));
    }

    [Fact]
    public void Formats_outside_the_list_are_not_decoded_even_though_libvips_could()
    {
        // libvips reads TIFF (and PDF, SVG, FITS, Matlab... in some builds); only our loaders are enabled.
        var tiff = _samples.Image("scan.tif", 64, 64);

        var refused = Assert.Throws<MediaProcessingException>(() => _images.Process(tiff, MediaSniffer.Png, _output));

        Assert.Equal(MediaProcessingException.Undecodable, refused.Code);
    }

    [Fact]
    public void Avif_is_decoded_by_libvips_and_heic_through_magick_becoming_a_jpeg()
    {
        var avif = _samples.Image("photo.avif", 640, 480, "[compression=av1,keep=none]");
        var heic = _samples.Heic("photo.heic", 640, 480);
        Assert.Equal(MediaSniffer.Avif, MediaSniffer.Sniff(File.ReadAllBytes(avif)));
        Assert.Equal(MediaSniffer.Heic, MediaSniffer.Sniff(File.ReadAllBytes(heic)));

        var fromAvif = _images.Process(avif, MediaSniffer.Avif, _output);
        var fromHeic = _images.Process(heic, MediaSniffer.Heic, Directory.CreateTempSubdirectory().FullName);

        Assert.Equal((640, 480), (fromAvif.Width, fromAvif.Height));
        Assert.Equal((640, 480), (fromHeic.Width, fromHeic.Height));
        Assert.Equal("image/jpeg", fromHeic.CleanOriginal?.ContentType);
        Assert.Equal(MediaSniffer.Jpeg, MediaSniffer.Sniff(File.ReadAllBytes(fromHeic.CleanOriginal!.Path)));
        Assert.Equal((400, 300), (fromHeic.Thumbnails[0].Width, fromHeic.Thumbnails[0].Height));
    }

    /// <summary>A 1-bit greyscale PNG of zeros, streamed row by row: the test never holds the image either.</summary>
    private static string WriteBlankPng(string path, int width, int height)
    {
        using var file = File.Create(path);
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 1; // bit depth
        header[9] = 0; // greyscale
        WriteChunk(file, "IHDR", header);
        using (var data = new MemoryStream())
        {
            using (var zlib = new ZLibStream(data, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                var row = new byte[1 + (width + 7) / 8]; // filter byte + packed pixels
                for (var y = 0; y < height; y++)
                    zlib.Write(row);
            }
            WriteChunk(file, "IDAT", data.ToArray());
        }
        WriteChunk(file, "IEND", []);
        return path;
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var typeAndData = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        stream.Write(typeAndData);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typeAndData));
        stream.Write(crc);
    }

    /// <summary>PNG's CRC-32 (ISO-HDLC), bit by bit: a few kilobytes of chunk data need nothing faster.</summary>
    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
