namespace KamaChat.Server.Infrastructure.Media;

/// <summary>The proportions of a picture's renditions, as width:height (1:1 for avatars and icons, 5:2 for banners).</summary>
public sealed record AspectRatio(int Width, int Height)
{
    public static readonly AspectRatio Square = new(1, 1);
    public static readonly AspectRatio Banner = new(5, 2);

    /// <summary>The height that goes with <paramref name="width"/> at this ratio, at least 1.</summary>
    public int HeightFor(int width) => (int)Math.Max(1, (long)width * Height / Width);
}

/// <summary>
/// A rectangle inside an image, in pixels of the upright image: what an avatar, icon or banner shows of the upload.
/// Its height follows from <see cref="Width"/> and the picture's <see cref="AspectRatio"/>.
/// </summary>
public sealed record PictureCrop(int X, int Y, int Width)
{
    /// <summary>The largest rectangle of <paramref name="aspect"/> in the middle of a <paramref name="width"/> × <paramref name="height"/> image.</summary>
    public static PictureCrop Centre(int width, int height, AspectRatio aspect)
    {
        var cropWidth = (int)Math.Min(width, (long)height * aspect.Width / aspect.Height);
        cropWidth = Math.Max(1, cropWidth);
        return new PictureCrop((width - cropWidth) / 2, (height - aspect.HeightFor(cropWidth)) / 2, cropWidth);
    }

    public bool FitsIn(int width, int height, AspectRatio aspect) =>
        X >= 0 && Y >= 0 && Width > 0 && (long)X + Width <= width && (long)Y + aspect.HeightFor(Width) <= height;
}
