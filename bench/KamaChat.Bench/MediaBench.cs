using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ImageMagick;
using NetVips;

namespace KamaChat.Bench;

/// <summary>
/// ./kamachat bench media: thumbnail throughput and peak memory, NetVips (what the server uses) against Magick.NET,
/// on a corpus generated here (12 MP JPEGs and large PNGs). Each engine runs in a child process of its own, so its
/// peak resident memory (VmHWM) is its own; the ratios compare the two runs of this invocation.
/// </summary>
public static class MediaBench
{
    private const int ThumbnailSize = 400;

    /// <summary>NetVips; Magick.NET as usually written (full decode); Magick.NET told the JPEG target size (its fast path).</summary>
    private static readonly string[] Engines = ["netvips", "magick", "magick-hinted"];

    public static async Task<int> RunAsync(string[] args)
    {
        var images = Value(args, "images", 8);
        var concurrency = Value(args, "concurrency", Environment.ProcessorCount);
        var uploadMegabytes = Value(args, "upload-mb", 100);
        var uploadClients = Value(args, "upload-clients", 10);
        if (images == 0)
        {
            await UploadBench.RunAsync(uploadMegabytes, uploadClients, rounds: Value(args, "upload-rounds", 3));
            return 0;
        }
        var corpus = Directory.CreateTempSubdirectory("kamachat-bench-media-").FullName;
        try
        {
            Console.WriteLine($"Generating {images} JPEGs (4000×3000, q90) and {images} PNGs (4000×3000) in {corpus} ...");
            Generate(corpus, images);
            Console.WriteLine($"Thumbnails to {ThumbnailSize} px WebP, metadata stripped, {concurrency} at a time; each engine in its own process.");
            Console.WriteLine();
            Console.WriteLine("| engine | corpus | images | ms per image (wall / count) | images/s | peak RSS MiB | RSS growth MiB |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            var results = new Dictionary<(string, string), WorkerResult>();
            foreach (var kind in new[] { "jpg", "png" })
            {
                foreach (var engine in Engines)
                {
                    var result = await RunWorkerAsync(engine, corpus, kind, concurrency);
                    results[(engine, kind)] = result;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {engine} | {kind} | {result.Images} | {result.Milliseconds / result.Images:0} | {result.Images * 1000.0 / result.Milliseconds:0.00} | {result.PeakRss / 1048576.0:0} | {(result.PeakRss - result.StartRss) / 1048576.0:0} |"));
                }
            }
            Console.WriteLine();
            foreach (var kind in new[] { "jpg", "png" })
            {
                var vips = results[("netvips", kind)];
                foreach (var magickEngine in Engines[1..])
                {
                    var magick = results[(magickEngine, kind)];
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{kind}: NetVips throughput {magick.Milliseconds / vips.Milliseconds:0.0}× {magickEngine}'s; peak RSS {(double)vips.PeakRss / magick.PeakRss:0.00}×, RSS growth {(double)(vips.PeakRss - vips.StartRss) / Math.Max(1, magick.PeakRss - magick.StartRss):0.00}× (aim: ≥ 4× throughput at ≤ 0.5× memory)"));
                }
            }
            if (uploadMegabytes > 0)
                await UploadBench.RunAsync(uploadMegabytes, uploadClients, rounds: Value(args, "upload-rounds", 3));
            return 0;
        }
        finally
        {
            Directory.Delete(corpus, recursive: true);
        }
    }

    /// <summary>The child process: thumbnails every file of one kind with one engine and prints its numbers as JSON.</summary>
    public static async Task<int> WorkerAsync(string[] args)
    {
        var engine = Text(args, "engine");
        var files = Directory.GetFiles(Text(args, "corpus"), "*." + Text(args, "kind")).Order().ToArray();
        var concurrency = Value(args, "concurrency", 2);
        var output = Directory.CreateTempSubdirectory("kamachat-bench-out-").FullName;
        if (engine == "netvips")
        {
            Cache.Max = 0; // as the server runs it
        }
        Thumbnail(engine, files[0], output); // warm-up: native libraries loaded, code jitted
        var startRss = Status("VmRSS");
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, (file, _) =>
        {
            Thumbnail(engine, file, output);
            return ValueTask.CompletedTask;
        });
        clock.Stop();
        Directory.Delete(output, recursive: true);
        Console.WriteLine(JsonSerializer.Serialize(new WorkerResult(files.Length, clock.Elapsed.TotalMilliseconds, startRss, Status("VmHWM"))));
        return 0;
    }

    private static void Thumbnail(string engine, string file, string outputDirectory)
    {
        var output = Path.Combine(outputDirectory, Path.GetFileNameWithoutExtension(file) + $"-{Environment.CurrentManagedThreadId}.webp");
        if (engine == "netvips")
        {
            using var thumbnail = Image.Thumbnail(file, ThumbnailSize, height: ThumbnailSize);
            thumbnail.Webpsave(output, q: 80, keep: Enums.ForeignKeep.None);
        }
        else
        {
            var settings = new MagickReadSettings();
            // The fast path: the JPEG decoder told the target size decodes at a fraction of full size.
            if (engine == "magick-hinted")
                settings.SetDefine(MagickFormat.Jpeg, "size", $"{ThumbnailSize * 2}x{ThumbnailSize * 2}");
            using var image = new MagickImage(file, settings);
            image.AutoOrient();
            image.Thumbnail(ThumbnailSize, ThumbnailSize);
            image.Strip();
            image.Quality = 80;
            image.Write(output, MagickFormat.WebP);
        }
    }

    private static async Task<WorkerResult> RunWorkerAsync(string engine, string corpus, string kind, int concurrency)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
        foreach (var argument in new[] { typeof(MediaBench).Assembly.Location, "media-worker", "--engine", engine, "--corpus", corpus, "--kind", kind,
                     "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"The {engine} worker failed ({process.ExitCode}).");
        return JsonSerializer.Deserialize<WorkerResult>(output.Trim().Split('\n')[^1])!;
    }

    private static void Generate(string corpus, int images)
    {
        for (var i = 0; i < images; i++)
        {
            // Photo-like content: smooth gradients plus sensor-like noise, different per image.
            using var xy = Image.Xyz(4000, 3000);
            using var r = xy[0] * (255.0 / 4000) + i * 7;
            using var g = xy[1] * (255.0 / 3000);
            using var noise = Image.Gaussnoise(4000, 3000, sigma: 12, mean: 100 + i * 5);
            using var rgb = r.Bandjoin(g, noise).Cast(Enums.BandFormat.Uchar).Copy(interpretation: Enums.Interpretation.Srgb);
            rgb.Jpegsave(Path.Combine(corpus, $"photo-{i:00}.jpg"), q: 90);
            rgb.Pngsave(Path.Combine(corpus, $"screen-{i:00}.png"), compression: 3);
        }
    }

    private static long Status(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static int Value(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, "--" + name);
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }

    private static string Text(string[] args, string name) => args[Array.IndexOf(args, "--" + name) + 1];

    private sealed record WorkerResult(int Images, double Milliseconds, long StartRss, long PeakRss);
}
