using ImageMagick;

namespace KamaChat.Server.Infrastructure.Media;

/// <summary>
/// HEIC (iPhone photos) through Magick.NET's libheif, since libvips' bundled build decodes AVIF but not HEVC. Used
/// for nothing else: the format is fixed, so ImageMagick never guesses a coder, and its limits match ours.
/// </summary>
internal static class HeicDecoder
{
    /// <summary>Decodes the primary image (HEIF's rotation and mirroring applied) to a lossless PNG without metadata.</summary>
    public static void ToPng(string heicPath, string pngPath, long maxPixels)
    {
        var settings = new MagickReadSettings { Format = MagickFormat.Heic };
        var info = new MagickImageInfo();
        try
        {
            info.Read(heicPath, settings);
        }
        catch (MagickException e)
        {
            throw new MediaProcessingException(MediaProcessingException.Undecodable, "The HEIC image could not be read.", e);
        }
        if ((long)info.Width * info.Height > maxPixels)
            throw new MediaProcessingException(MediaProcessingException.TooManyPixels, $"The image has {info.Width}×{info.Height} pixels, more than {maxPixels}.");
        ResourceLimits.Area = (ulong)maxPixels;
        try
        {
            using var image = new MagickImage(heicPath, settings);
            image.Strip();
            image.Settings.SetDefine(MagickFormat.Png, "compression-level", "1");
            image.Write(pngPath, MagickFormat.Png);
        }
        catch (MagickException e)
        {
            throw new MediaProcessingException(MediaProcessingException.Undecodable, "The HEIC image could not be decoded.", e);
        }
    }
}
