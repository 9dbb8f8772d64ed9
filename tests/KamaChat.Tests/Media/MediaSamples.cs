using System.Diagnostics;
using NetVips;

namespace KamaChat.Tests.Media;

/// <summary>
/// Test media made on the spot (nothing binary is committed): images with libvips, video and audio with ffmpeg's
/// lavfi sources, HEIC with heif-enc, metadata with exiftool (all Debian packages ./kamachat test installs).
/// </summary>
public sealed class MediaSamples : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("kamachat-samples-").FullName;

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>A photo-like image (gradients and noise, so encoders have something to do).</summary>
    /// <param name="options">libvips save options, e.g. "[compression=av1]"; default "[keep=none]".</param>
    public string Image(string name, int width, int height, string? options = null)
    {
        var path = PathOf(name);
        using var xy = NetVips.Image.Xyz(width, height);
        using var r = xy[0] * (255.0 / width);
        using var g = xy[1] * (255.0 / height);
        using var noise = NetVips.Image.Gaussnoise(width, height, sigma: 20);
        using var rgb = r.Bandjoin(g, noise + 128).Cast(Enums.BandFormat.Uchar);
        using var srgb = rgb.Copy(interpretation: Enums.Interpretation.Srgb);
        // No metadata unless a test adds some (libvips would otherwise write a small EXIF block of its own).
        srgb.WriteToFile(path + (options ?? "[keep=none]"));
        return path;
    }

    public string Ffmpeg(string name, params string[] arguments)
    {
        var path = PathOf(name);
        Run("ffmpeg", ["-v", "error", "-nostdin", "-y", .. arguments, path]);
        return path;
    }

    /// <summary>A short animated GIF of ffmpeg's test pattern.</summary>
    public string AnimatedGif(string name, int frames) =>
        Ffmpeg(name, "-f", "lavfi", "-i", "testsrc=size=240x160:rate=10", "-frames:v", frames.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public string Heic(string name, int width, int height)
    {
        var png = Image(name + ".png", width, height);
        var path = PathOf(name);
        Run("heif-enc", ["-q", "60", png, "-o", path]);
        return path;
    }

    public static string Run(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
        return output.Result;
    }

    /// <summary>Every tag exiftool finds, as "Group:Tag" names (e.g. "GPS:GPSLatitude").</summary>
    public static IReadOnlyDictionary<string, string> Tags(string path)
    {
        var json = Run("exiftool", ["-j", "-G1", "-a", "-n", path]);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return document.RootElement[0].EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString());
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
