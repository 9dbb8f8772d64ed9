using Microsoft.Extensions.Options;
using NetVips;

namespace KamaChat.Server.Infrastructure.Media;

/// <summary>One file an engine wrote: a thumbnail, a cleaned original, a poster, a transcode.</summary>
public sealed record Rendition(string Name, string Path, string ContentType, int Width, int Height);

/// <summary>What processing learned about an image and the files it made from it.</summary>
/// <param name="CleanOriginal">The full image without metadata and with its orientation applied, to serve instead of the
/// upload; null when the upload already has nothing to strip (it is then served as it is).</param>
public sealed record ProcessedImage(int Width, int Height, bool Animated, byte[] Placeholder, Rendition? CleanOriginal, IReadOnlyList<Rendition> Thumbnails);

/// <summary>
/// Images through libvips (NetVips with its bundled build, not Debian's, whose WebP writer keeps GPS data):
/// orientation applied, every piece of metadata stripped, WebP thumbnails (animated ones stay animated), cropped
/// avatars and banners and a ThumbHash placeholder. The pixel count is checked from the header, before anything is decoded.
/// </summary>
public sealed class ImageProcessor
{
    private const int WebpQuality = 80;
    private readonly MediaOptions _options;

    public ImageProcessor(IOptions<MediaOptions> options)
    {
        _options = options.Value;
        Vips.EnsureConfigured();
    }

    /// <summary>Decodes the image at <paramref name="path"/> and writes its renditions into <paramref name="outputDirectory"/>.</summary>
    /// <exception cref="MediaProcessingException">Too many pixels, or the file does not decode as the type it claims.</exception>
    public ProcessedImage Process(string path, SniffedType type, string outputDirectory)
    {
        var source = Decodable(path, type, outputDirectory);
        var (width, height, frames, quarterTurn) = CheckHeader(source);
        var animated = frames > 1;
        var load = animated ? source + "[n=-1]" : source;
        var thumbnails = new List<Rendition>();
        try
        {
            foreach (var size in _options.ThumbnailSizes)
                thumbnails.Add(Thumbnail(load, size, outputDirectory, $"thumb-{size}"));
            var clean = CleanOriginal(source, type, outputDirectory, animated);
            var (uprightWidth, uprightHeight) = quarterTurn ? (height, width) : (width, height);
            return new ProcessedImage(uprightWidth, uprightHeight, animated, Placeholder(source), clean, thumbnails);
        }
        catch (VipsException e)
        {
            throw new MediaProcessingException(MediaProcessingException.Undecodable, "The image could not be decoded.", e);
        }
    }

    /// <summary>
    /// A picture from elsewhere (a link preview's): at most <paramref name="maxSide"/> px on each side, upright, without
    /// metadata, as WebP; an animated one stays animated. At most <paramref name="maxPixels"/> (all frames together),
    /// checked from the header before anything is decoded.
    /// </summary>
    /// <exception cref="MediaProcessingException">Too many pixels, or the file does not decode as the type it claims.</exception>
    public Rendition Fitted(string path, SniffedType type, string outputDirectory, int maxSide, long maxPixels)
    {
        var source = Decodable(path, type, outputDirectory);
        var (_, _, frames, _) = CheckHeader(source, Math.Min(maxPixels, _options.MaxImagePixels));
        try
        {
            return Thumbnail(frames > 1 ? source + "[n=-1]" : source, maxSide, outputDirectory, "fitted");
        }
        catch (VipsException e)
        {
            throw new MediaProcessingException(MediaProcessingException.Undecodable, "The image could not be decoded.", e);
        }
    }

    /// <summary>The image (every frame of <paramref name="load"/>) scaled down to fit <paramref name="size"/>², upright, as WebP without metadata.</summary>
    private static Rendition Thumbnail(string load, int size, string outputDirectory, string name)
    {
        using var thumbnail = Image.Thumbnail(load, size, height: size, size: Enums.Size.Down, outputProfile: "srgb", failOn: Enums.FailOn.Truncated);
        var output = Path.Combine(outputDirectory, $"{name}.webp");
        thumbnail.Webpsave(output, q: WebpQuality, keep: Enums.ForeignKeep.None, effort: 4);
        return new Rendition(name, output, "image/webp", thumbnail.Width, FrameHeight(thumbnail));
    }

    /// <summary>Square crops at the avatar sizes (see <see cref="Picture"/>).</summary>
    public IReadOnlyList<Rendition> Avatar(string path, SniffedType type, string outputDirectory, PictureCrop? crop = null) =>
        Picture(path, type, outputDirectory, AspectRatio.Square, _options.AvatarSizes, crop);

    /// <summary>Crops at <see cref="AspectRatio.Banner"/> and the banner widths (see <see cref="Picture"/>).</summary>
    public IReadOnlyList<Rendition> Banner(string path, SniffedType type, string outputDirectory, PictureCrop? crop = null) =>
        Picture(path, type, outputDirectory, AspectRatio.Banner, _options.BannerWidths, crop);

    /// <summary>
    /// Crops at <paramref name="aspect"/>, scaled to each of <paramref name="widths"/>, as WebP: <paramref name="crop"/>
    /// (in pixels of the upright image, as the browser shows it) or else the largest centred one. Animated images stay
    /// animated, every frame cropped alike.
    /// </summary>
    /// <exception cref="MediaProcessingException">Too many pixels, undecodable, or a crop outside the image.</exception>
    public IReadOnlyList<Rendition> Picture(string path, SniffedType type, string outputDirectory, AspectRatio aspect, IReadOnlyList<int> widths,
        PictureCrop? crop = null)
    {
        var source = Decodable(path, type, outputDirectory);
        var (width, height, frames, quarterTurn) = CheckHeader(source);
        var (uprightWidth, uprightHeight) = frames == 1 && quarterTurn ? (height, width) : (width, height);
        var area = crop ?? PictureCrop.Centre(uprightWidth, uprightHeight, aspect);
        if (!area.FitsIn(uprightWidth, uprightHeight, aspect))
            throw new MediaProcessingException(MediaProcessingException.BadCrop,
                $"The crop ({area.X}, {area.Y}, {area.Width}×{aspect.HeightFor(area.Width)}) is not inside the {uprightWidth}×{uprightHeight} image.");
        var renditions = new List<Rendition>();
        try
        {
            using var image = Image.NewFromFile(frames > 1 ? source + "[n=-1]" : source, failOn: Enums.FailOn.Truncated);
            using var upright = frames > 1 ? image.Copy() : image.Autorot();
            foreach (var size in widths)
            {
                using var scaled = CropFrames(upright, frames, height, area, aspect, size);
                var output = Path.Combine(outputDirectory, $"picture-{size}.webp");
                scaled.Webpsave(output, q: WebpQuality, keep: Enums.ForeignKeep.None, effort: 4);
                renditions.Add(new Rendition($"picture-{size}", output, "image/webp", scaled.Width, FrameHeight(scaled)));
            }
            return renditions;
        }
        catch (VipsException e)
        {
            throw new MediaProcessingException(MediaProcessingException.Undecodable, "The image could not be decoded.", e);
        }
    }

    /// <summary>
    /// Each frame of <paramref name="image"/> (a strip of frames of <paramref name="frameHeight"/>) cropped to
    /// <paramref name="crop"/> and scaled to <paramref name="width"/> at <paramref name="aspect"/>.
    /// </summary>
    private static Image CropFrames(Image image, int frames, int frameHeight, PictureCrop crop, AspectRatio aspect, int width)
    {
        var (cropHeight, height) = (aspect.HeightFor(crop.Width), aspect.HeightFor(width));
        if (frames == 1)
        {
            using var cropped = image.Crop(crop.X, crop.Y, crop.Width, cropHeight);
            return cropped.ThumbnailImage(width, height: height, size: Enums.Size.Force, outputProfile: "srgb");
        }
        var scaled = new Image[frames];
        try
        {
            for (var i = 0; i < frames; i++)
            {
                using var cropped = image.Crop(crop.X, i * frameHeight + crop.Y, crop.Width, cropHeight);
                scaled[i] = cropped.ThumbnailImage(width, height: height, size: Enums.Size.Force, outputProfile: "srgb");
            }
            using var joined = Image.Arrayjoin(scaled, across: 1);
            return joined.Mutate(m =>
            {
                m.Set(GValue.GIntType, "page-height", height);
                if (image.Contains("delay"))
                    m.Set(GValue.ArrayIntType, "delay", image.Get("delay"));
                if (image.Contains("loop"))
                    m.Set(GValue.GIntType, "loop", image.Get("loop"));
            });
        }
        finally
        {
            foreach (var frame in scaled)
                frame?.Dispose();
        }
    }

    /// <summary>The ThumbHash of the (first frame of the) image, upright, from a copy at most 100 px on its long edge.</summary>
    public byte[] Placeholder(string path)
    {
        using var small = Image.Thumbnail(path, ThumbHash.MaxSide, height: ThumbHash.MaxSide, outputProfile: "srgb", failOn: Enums.FailOn.Truncated);
        using var rgba = ToRgba(small);
        return ThumbHash.FromRgba(rgba.Width, rgba.Height, rgba.WriteToMemory<byte>());
    }

    /// <summary>
    /// Width and height of one frame as stored, the number of frames, and whether the EXIF orientation turns the image
    /// by a quarter (5..8), from the header alone.
    /// </summary>
    private (int Width, int Height, int Frames, bool QuarterTurn) CheckHeader(string path, long? maxPixels = null)
    {
        var limit = maxPixels ?? _options.MaxImagePixels;
        int width, height, frames;
        bool quarterTurn;
        try
        {
            using var header = Image.NewFromFile(path, access: Enums.Access.Sequential);
            frames = header.Contains("n-pages") ? Math.Max(1, (int)header.Get("n-pages")) : 1;
            width = header.Width;
            height = frames > 1 && header.Contains("page-height") ? header.PageHeight : header.Height;
            quarterTurn = header.Contains("orientation") && (int)header.Get("orientation") is >= 5 and <= 8;
        }
        catch (VipsException e)
        {
            throw new MediaProcessingException(MediaProcessingException.Undecodable, "The file is not an image libvips can read.", e);
        }
        if ((long)width * height * frames > limit)
            throw new MediaProcessingException(MediaProcessingException.TooManyPixels,
                $"The image has {width}×{height} pixels{(frames > 1 ? $" in each of {frames} frames" : "")}, more than {limit}.");
        return (width, height, frames, quarterTurn);
    }

    /// <summary>The path libvips can decode: the file itself, or for HEIC a lossless PNG that Magick.NET made of it.</summary>
    private string Decodable(string path, SniffedType type, string outputDirectory)
    {
        if (type != MediaSniffer.Heic)
            return path;
        var png = Path.Combine(outputDirectory, "decoded-heic.png");
        if (!File.Exists(png))
            HeicDecoder.ToPng(path, png, _options.MaxImagePixels);
        return png;
    }

    /// <summary>
    /// The upload re-encoded without metadata, upright, when it carries anything to strip (EXIF, XMP, IPTC, comments) or
    /// is HEIC (which browsers cannot show: it becomes a JPEG); null when the upload is already clean.
    /// </summary>
    private static Rendition? CleanOriginal(string source, SniffedType type, string outputDirectory, bool animated)
    {
        using (var header = Image.NewFromFile(source, access: Enums.Access.Sequential))
        {
            if (type != MediaSniffer.Heic && !HasMetadata(header))
                return null;
        }
        using var image = Image.NewFromFile(animated ? source + "[n=-1]" : source, access: Enums.Access.Sequential, failOn: Enums.FailOn.Truncated);
        using var upright = animated ? image.Copy() : image.Autorot();
        var (name, extension) = type == MediaSniffer.Heic ? ("image/jpeg", "jpg") : (type.ContentType, type.Extension);
        var output = Path.Combine(outputDirectory, $"original.{extension}");
        var options = new VOption { { "keep", Enums.ForeignKeep.None } };
        if (extension is "jpg" or "webp" or "avif")
            options.Add("Q", 90);
        upright.WriteToFile(output, options);
        return new Rendition("original", output, name, upright.Width, FrameHeight(upright));
    }

    private static bool HasMetadata(Image image) => image.GetFields().Any(field =>
        field is "exif-data" or "xmp-data" or "iptc-data" or "gif-comment" ||
        field.StartsWith("png-comment-", StringComparison.Ordinal) || field.StartsWith("exif-ifd", StringComparison.Ordinal) ||
        (field == "orientation" && (int)image.Get("orientation") != 1));

    /// <summary>8-bit sRGB with alpha, whatever the source had.</summary>
    private static Image ToRgba(Image image)
    {
        using var srgb = image.Interpretation == Enums.Interpretation.Srgb ? image.Copy() : image.Colourspace(Enums.Interpretation.Srgb);
        using var withAlpha = srgb.HasAlpha() ? srgb.Copy() : srgb.Bandjoin(255);
        return withAlpha.Cast(Enums.BandFormat.Uchar);
    }

    private static int FrameHeight(Image image) => image.Contains("page-height") ? image.PageHeight : image.Height;
}
