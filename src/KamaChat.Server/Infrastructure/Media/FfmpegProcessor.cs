using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Media;

/// <summary>
/// Video and audio through Debian's ffprobe and ffmpeg, run as processes by <see cref="MediaProcessRunner"/>
/// (concurrency limit, timeouts): probe, poster frame, a transcode to H.264/AAC MP4 with faststart, a metadata-free
/// remux of files browsers already play, and an audio waveform.
/// </summary>
public sealed class FfmpegProcessor(IOptions<MediaOptions> options, MediaProcessRunner runner)
{
    private readonly MediaOptions _options = options.Value;

    /// <summary>The runner that limits and times this node's ffmpeg processes.</summary>
    public MediaProcessRunner Runner => runner;

    /// <exception cref="MediaProcessingException">Not a media file ffprobe can read (<c>undecodable</c>), or the probe hung (<c>timed_out</c>).</exception>
    public async Task<MediaProbe> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        var json = new MemoryStream();
        var (exitCode, errors) = await runner.RunAsync(_options.FfprobePath,
            ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-i", path], _options.ProbeTimeout,
            (stdout, token) => stdout.CopyToAsync(json, token), cancellationToken);
        if (exitCode != 0)
            throw new MediaProcessingException(MediaProcessingException.Undecodable, $"ffprobe could not read the file: {errors}");
        var probe = MediaProbe.Parse(System.Text.Encoding.UTF8.GetString(json.ToArray()));
        if (!probe.HasVideo && !probe.HasAudio)
            throw new MediaProcessingException(MediaProcessingException.Undecodable, "The file has neither video nor audio.");
        if (probe.Duration > _options.MaxDuration)
            throw new MediaProcessingException(MediaProcessingException.TooLong, $"The file lasts {probe.Duration}, longer than {_options.MaxDuration}.");
        return probe;
    }

    /// <summary>One frame (upright) as a PNG, from a second in or a tenth of the way for short clips.</summary>
    public async Task ExtractPosterAsync(string path, MediaProbe probe, string pngPath, CancellationToken cancellationToken)
    {
        var at = probe.Duration > TimeSpan.Zero ? TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerSecond, probe.Duration.Ticks / 10)) : TimeSpan.Zero;
        var (exitCode, errors) = await runner.RunAsync(_options.FfmpegPath,
            ["-v", "error", "-nostdin", "-y", "-ss", Seconds(at), "-i", path, "-map", "0:v:0", "-frames:v", "1", "-an", "-f", "image2", "-c:v", "png", pngPath],
            _options.ProbeTimeout, null, cancellationToken);
        if (exitCode != 0 || !File.Exists(pngPath))
            throw new MediaProcessingException(MediaProcessingException.Undecodable, $"No frame could be decoded: {errors}");
    }

    /// <summary>
    /// Writes an MP4 browsers play, with faststart and no metadata (phones put GPS positions in theirs): a stream copy
    /// when the codecs already play, otherwise H.264 (at most <see cref="MediaOptions.MaxVideoSide"/> px) and AAC.
    /// </summary>
    /// <param name="progress">Percent done (0..100), from ffmpeg's progress output.</param>
    public async Task ConvertToMp4Async(string path, SniffedType sniffed, MediaProbe probe, string outputPath, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "-v", "error", "-nostdin", "-y", "-i", path, "-map", "0:v:0?", "-map", "0:a:0?" };
        if (probe.HasVideo && probe.IsBrowserPlayableVideo(sniffed))
        {
            arguments.AddRange(["-c", "copy"]);
        }
        else
        {
            if (probe.HasVideo)
            {
                var side = _options.MaxVideoSide.ToString(CultureInfo.InvariantCulture);
                arguments.AddRange(["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-vf",
                    $"scale=w='min({side},iw)':h='min({side},ih)':force_original_aspect_ratio=decrease:force_divisible_by=2"]);
            }
            arguments.AddRange(["-c:a", "aac", "-b:a", "128k", "-ac", "2"]);
        }
        arguments.AddRange(["-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart", "-f", "mp4", "-progress", "pipe:1", "-nostats", outputPath]);

        var total = probe.Duration.TotalMicroseconds;
        var (exitCode, errors) = await runner.RunAsync(_options.FfmpegPath, arguments, _options.TranscodeTimeout,
            (stdout, token) => ReadProgressAsync(stdout, total, progress, token), cancellationToken);
        if (exitCode != 0)
            throw new MediaProcessingException(MediaProcessingException.Undecodable, $"ffmpeg could not convert the file: {errors}");
        progress?.Report(100);
    }

    /// <summary>
    /// <paramref name="peaks"/> loudness peaks (0..255, 255 is full scale) spread evenly over the audio, for the player's waveform.
    /// </summary>
    public async Task<byte[]> WaveformAsync(string path, int peaks, CancellationToken cancellationToken)
    {
        // Mono 8 kHz 16-bit samples streamed through: peaks of 10 ms blocks, reduced to the buckets at the end.
        const int blockSamples = 80;
        var blocks = new List<short>();
        var (exitCode, errors) = await runner.RunAsync(_options.FfmpegPath,
            ["-v", "error", "-nostdin", "-i", path, "-map", "0:a:0", "-ac", "1", "-ar", "8000", "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1"],
            _options.TranscodeTimeout, async (stdout, token) =>
            {
                var buffer = new byte[blockSamples * 2];
                int read;
                while ((read = await stdout.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, token)) > 0)
                {
                    var peak = 0;
                    for (var i = 0; i + 1 < read; i += 2)
                        peak = Math.Max(peak, Math.Abs((int)BinaryPrimitives.ReadInt16LittleEndian(buffer.AsSpan(i))));
                    blocks.Add((short)Math.Min(peak, short.MaxValue));
                }
            }, cancellationToken);
        if (exitCode != 0)
            throw new MediaProcessingException(MediaProcessingException.Undecodable, $"ffmpeg could not decode the audio: {errors}");
        var result = new byte[peaks];
        if (blocks.Count == 0)
            return result;
        for (var bucket = 0; bucket < peaks; bucket++)
        {
            var from = (int)((long)bucket * blocks.Count / peaks);
            var to = Math.Max(from + 1, (int)((long)(bucket + 1) * blocks.Count / peaks));
            var peak = 0;
            for (var i = from; i < to && i < blocks.Count; i++)
                peak = Math.Max(peak, blocks[i]);
            result[bucket] = (byte)Math.Round(peak * 255.0 / short.MaxValue);
        }
        return result;
    }

    /// <summary>ffmpeg's <c>-progress</c> lines: <c>out_time_us=…</c> as it goes, <c>progress=end</c> at the end.</summary>
    private static async Task ReadProgressAsync(Stream stdout, double totalMicroseconds, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stdout);
        var last = -1;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (progress is null || totalMicroseconds <= 0 || !line.StartsWith("out_time_us=", StringComparison.Ordinal))
                continue;
            if (!long.TryParse(line.AsSpan("out_time_us=".Length), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var done))
                continue;
            var percent = (int)Math.Clamp(done / totalMicroseconds * 100, 0, 99);
            if (percent != last)
            {
                last = percent;
                progress.Report(percent);
            }
        }
    }

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
