namespace KamaChat.Server.Infrastructure.Media;

/// <summary>A square inside an image, in pixels of the upright image: what an avatar or icon shows of the upload.</summary>
public sealed record SquareCrop(int X, int Y, int Size)
{
    /// <summary>The largest square in the middle of a <paramref name="width"/> × <paramref name="height"/> image.</summary>
    public static SquareCrop Centre(int width, int height)
    {
        var side = Math.Min(width, height);
        return new SquareCrop((width - side) / 2, (height - side) / 2, side);
    }

    public bool FitsIn(int width, int height) =>
        X >= 0 && Y >= 0 && Size > 0 && (long)X + Size <= width && (long)Y + Size <= height;
}
