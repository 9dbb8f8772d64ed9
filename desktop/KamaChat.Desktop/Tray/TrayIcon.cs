namespace KamaChat.Desktop.Tray;

/// <summary>Unread state as the page reports it: channels with unread messages, and mentions (DMs count as mentions).</summary>
public sealed record UnreadState(int Unread, int Mentions)
{
    public static readonly UnreadState None = new(0, 0);
}

/// <summary>
/// Draws the tray icon: the KamaChat logo (web/src/ui/Logo.tsx) with a red badge that carries the mention count,
/// or a small dot for unread messages without mentions. The panel gets ARGB32 pixels (network byte order).
/// </summary>
public static class TrayIcon
{
    // The logo's "K", in its 64×64 viewBox.
    private static readonly (double X, double Y)[] Letter =
        [(20, 18), (28, 18), (28, 30), (40, 18), (50, 18), (36, 32), (50, 46), (40, 46), (28, 34), (28, 46), (20, 46)];

    // 3×5 digits, one row per string, for the badge.
    private static readonly string[][] Glyphs =
    [
        ["###", "#.#", "#.#", "#.#", "###"], [".#.", "##.", ".#.", ".#.", "###"], ["###", "..#", "###", "#..", "###"],
        ["###", "..#", "###", "..#", "###"], ["#.#", "#.#", "###", "..#", "..#"], ["###", "#..", "###", "..#", "###"],
        ["###", "#..", "###", "#.#", "###"], ["###", "..#", "..#", "..#", "..#"], ["###", "#.#", "###", "#.#", "###"],
        ["###", "#.#", "###", "..#", "###"],
    ];

    private static readonly string[] Plus = ["...", ".#.", "###", ".#.", "..."];

    public static (int, int, byte[])[] Render(UnreadState state, params int[] sizes) =>
        [.. sizes.Select(size => (size, size, Draw(size, state)))];

    private static byte[] Draw(int size, UnreadState state)
    {
        var pixels = new byte[size * size * 4];
        const int samples = 4;
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                // Supersampled coverage gives smooth edges at 16–64 px.
                double r = 0, g = 0, b = 0, a = 0;
                for (var sy = 0; sy < samples; sy++)
                {
                    for (var sx = 0; sx < samples; sx++)
                    {
                        var u = (x + (sx + 0.5) / samples) / size;
                        var v = (y + (sy + 0.5) / samples) / size;
                        var (pr, pg, pb, pa) = Shade(u, v, state);
                        r += pr * pa;
                        g += pg * pa;
                        b += pb * pa;
                        a += pa;
                    }
                }
                var offset = (y * size + x) * 4;
                var coverage = a / (samples * samples);
                pixels[offset] = (byte)Math.Round(coverage * 255);
                if (a > 0)
                {
                    pixels[offset + 1] = (byte)Math.Round(r / a);
                    pixels[offset + 2] = (byte)Math.Round(g / a);
                    pixels[offset + 3] = (byte)Math.Round(b / a);
                }
            }
        }
        return pixels;
    }

    /// <summary>The colour at (u, v) in 0..1 of the icon: badge above logo above transparency.</summary>
    private static (double R, double G, double B, double A) Shade(double u, double v, UnreadState state)
    {
        if (state.Mentions > 0 || state.Unread > 0)
        {
            var mentions = state.Mentions > 0;
            var (cx, cy, radius) = mentions ? (0.70, 0.70, 0.30) : (0.80, 0.80, 0.18);
            var distance = Math.Sqrt((u - cx) * (u - cx) + (v - cy) * (v - cy));
            if (distance <= radius)
                return mentions && InBadgeText(u - (cx - radius), v - (cy - radius), radius * 2, state.Mentions) ? (255, 255, 255, 1) : (237, 66, 69, 1);
            // A transparent ring separates the badge from the logo.
            if (distance <= radius + 0.05)
                return (0, 0, 0, 0);
        }
        if (!InRoundedSquare(u, v))
            return (0, 0, 0, 0);
        return InPolygon(u * 64, v * 64, Letter) ? (255, 255, 255, 1) : (88, 101, 242, 1);
    }

    private static bool InRoundedSquare(double u, double v)
    {
        const double radius = 18.0 / 64;
        var dx = Math.Max(Math.Max(radius - u, u - (1 - radius)), 0);
        var dy = Math.Max(Math.Max(radius - v, v - (1 - radius)), 0);
        return dx * dx + dy * dy <= radius * radius;
    }

    private static bool InPolygon(double x, double y, (double X, double Y)[] polygon)
    {
        var inside = false;
        for (int i = 0, j = polygon.Length - 1; i < polygon.Length; j = i++)
        {
            var (xi, yi) = polygon[i];
            var (xj, yj) = polygon[j];
            if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
                inside = !inside;
        }
        return inside;
    }

    /// <summary>Whether (u, v), relative to the badge's box of side <paramref name="box"/>, falls on the count's text ("1".."9", "9+").</summary>
    private static bool InBadgeText(double u, double v, double box, int count)
    {
        string[][] glyphs = count > 9 ? [Glyphs[9], Plus] : [Glyphs[count]];
        var columns = glyphs.Length * 4 - 1;
        var cell = box * 0.6 / Math.Max(columns, 5);
        var left = (box - columns * cell) / 2;
        var top = (box - 5 * cell) / 2;
        var column = (int)Math.Floor((u - left) / cell);
        var row = (int)Math.Floor((v - top) / cell);
        if (u < left || v < top || row >= 5 || column >= columns || column % 4 == 3)
            return false;
        return glyphs[column / 4][row][column % 4] == '#';
    }
}
