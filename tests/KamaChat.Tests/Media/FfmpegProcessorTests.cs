using System.Collections.Concurrent;
using KamaChat.Server.Infrastructure.Media;
using Microsoft.Extensions.Options;

namespace KamaChat.Tests.Media;

/// <summary>Debian's ffprobe and ffmpeg on media made with ffmpeg's lavfi sources (testsrc, sine).</summary>
public sealed class FfmpegProcessorTests(MediaSamples samples) : IClassFixture<MediaSamples>
{
    private static FfmpegProcessor Processor(MediaOptions? options = null)
    {
        options ??= new MediaOptions();
        return new FfmpegProcessor(Options.Create(options), new MediaProcessRunner(options));
    }

    private string H264Mp4(string name, params string[] extra) => samples.Ffmpeg(name,
        ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=2", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", .. extra]);

    [Fact]
    public async Task A_probe_tells_duration_size_and_codecs()
    {
        var probe = await Processor().ProbeAsync(H264Mp4("probe.mp4"), CancellationToken.None);

        Assert.InRange(probe.Duration.TotalSeconds, 1.9, 2.2);
        Assert.Equal((320, 240), (probe.Width, probe.Height));
        Assert.Equal(("h264", "aac"), (probe.VideoCodec, probe.AudioCodec));
        Assert.True(probe.IsBrowserPlayableVideo(MediaSniffer.Mp4));
    }

    [Fact]
    public async Task Mpeg4_part_2_in_avi_is_transcoded_to_h264_aac_mp4_with_faststart_reporting_progress()
    {
        var avi = samples.Ffmpeg("old.avi", "-f", "lavfi", "-i", "testsrc=size=352x288:rate=25:duration=3", "-f", "lavfi", "-i", "sine=duration=3",
            "-c:v", "mpeg4", "-c:a", "libmp3lame", "-shortest");
        Assert.Equal(MediaSniffer.Avi, await MediaSniffer.SniffFileAsync(avi, CancellationToken.None));
        var ffmpeg = Processor();
        var probe = await ffmpeg.ProbeAsync(avi, CancellationToken.None);
        Assert.False(probe.IsBrowserPlayableVideo(MediaSniffer.Avi));
        var reports = new ConcurrentQueue<int>();
        var output = samples.PathOf("old.mp4");

        await ffmpeg.ConvertToMp4Async(avi, MediaSniffer.Avi, probe, output, new SynchronousProgress(reports.Enqueue), CancellationToken.None);

        var converted = await ffmpeg.ProbeAsync(output, CancellationToken.None);
        Assert.Equal(("h264", "aac", "yuv420p"), (converted.VideoCodec, converted.AudioCodec, converted.PixelFormat));
        Assert.True(converted.IsBrowserPlayableVideo(MediaSniffer.Mp4));
        var bytes = await File.ReadAllBytesAsync(output);
        Assert.True(bytes.AsSpan().IndexOf("moov"u8) < bytes.AsSpan().IndexOf("mdat"u8), "faststart: the index comes before the media data");
        Assert.Equal(100, reports.Last());
        Assert.Equal(reports.Order(), reports); // never goes backwards
    }

    [Fact]
    public async Task A_playable_mp4_is_remuxed_without_its_location_metadata()
    {
        var phone = H264Mp4("phone.mp4", "-metadata", "location=+48.8584+002.2945/", "-metadata", "title=Eiffel");
        var ffmpeg = Processor();
        var probe = await ffmpeg.ProbeAsync(phone, CancellationToken.None);
        Assert.Contains("+48.8584", MediaSamples.Run("ffprobe", ["-v", "error", "-show_format", phone]), StringComparison.Ordinal);
        var output = samples.PathOf("phone-clean.mp4");

        await ffmpeg.ConvertToMp4Async(phone, MediaSniffer.Mp4, probe, output, null, CancellationToken.None);

        var after = MediaSamples.Run("ffprobe", ["-v", "error", "-show_format", "-show_streams", output]);
        Assert.DoesNotContain("48.8584", after, StringComparison.Ordinal);
        Assert.DoesNotContain("Eiffel", after, StringComparison.Ordinal);
        Assert.Contains("codec_name=h264", after, StringComparison.Ordinal); // copied, not re-encoded into something else
    }

    [Fact]
    public async Task A_poster_frame_is_extracted_upright()
    {
        // A phone's rotation matrix of 90° (ffmpeg 5.1 does not write one; exiftool does): the poster must come out portrait.
        var rotated = H264Mp4("rotated.mp4");
        MediaSamples.Run("exiftool", ["-q", "-overwrite_original", "-Rotation=90", rotated]);
        var ffmpeg = Processor();
        var probe = await ffmpeg.ProbeAsync(rotated, CancellationToken.None);
        var poster = samples.PathOf("poster.png");

        await ffmpeg.ExtractPosterAsync(rotated, probe, poster, CancellationToken.None);

        using var image = NetVips.Image.NewFromFile(poster);
        Assert.Equal((240, 320), (image.Width, image.Height));
        Assert.Equal((240, 320), (probe.Width, probe.Height));
    }

    [Fact]
    public async Task Audio_gets_its_duration_and_a_waveform_that_follows_the_sound()
    {
        // One second of silence, then one of a loud tone.
        var audio = samples.Ffmpeg("half.mp3", "-f", "lavfi", "-i", "aevalsrc=if(gte(t\\,1)\\,0.9*sin(2*PI*440*t)\\,0):d=2:s=44100", "-c:a", "libmp3lame");
        var ffmpeg = Processor();
        var probe = await ffmpeg.ProbeAsync(audio, CancellationToken.None);

        var peaks = await ffmpeg.WaveformAsync(audio, 100, CancellationToken.None);

        Assert.False(probe.HasVideo);
        Assert.Equal("mp3", probe.AudioCodec);
        Assert.InRange(probe.Duration.TotalSeconds, 1.9, 2.2);
        Assert.Equal(100, peaks.Length);
        Assert.All(peaks[..40], peak => Assert.InRange(peak, 0, 10));
        Assert.All(peaks[60..95], peak => Assert.InRange(peak, 180, 255));
    }

    [Fact]
    public async Task A_probe_that_hangs_is_killed_at_its_timeout_and_reported()
    {
        var fifo = samples.PathOf($"never-written-{Guid.NewGuid():N}");
        MediaSamples.Run("mkfifo", [fifo]); // ffprobe blocks opening it: nobody ever writes
        var options = new MediaOptions { ProbeTimeout = TimeSpan.FromSeconds(2) };
        var runner = new MediaProcessRunner(options);
        var ffmpeg = new FfmpegProcessor(Options.Create(options), runner);

        var failure = await Assert.ThrowsAsync<MediaProcessingException>(() => ffmpeg.ProbeAsync(fifo, CancellationToken.None));

        Assert.Equal(MediaProcessingException.TimedOut, failure.Code);
        Assert.Equal(0, runner.Running);
        Assert.DoesNotContain(System.Diagnostics.Process.GetProcessesByName("ffprobe"), p => CommandLine(p.Id).Contains(fifo, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_concurrency_limit_makes_the_next_job_wait_for_a_slot()
    {
        var fifo = samples.PathOf($"blocking-{Guid.NewGuid():N}");
        MediaSamples.Run("mkfifo", [fifo]);
        var good = H264Mp4("waiting.mp4");
        // One node's runner with one slot, shared by a processor whose probes time out quickly (for the hanging one)
        // and one with the default timeout (so the good probe is never cut short on a busy machine).
        var runner = new MediaProcessRunner(new MediaOptions { FfmpegConcurrency = 1 });
        var impatient = new FfmpegProcessor(Options.Create(new MediaOptions { ProbeTimeout = TimeSpan.FromSeconds(3) }), runner);
        var patient = new FfmpegProcessor(Options.Create(new MediaOptions()), runner);
        var finished = new ConcurrentQueue<string>();

        var hanging = Task.Run(async () =>
        {
            await Assert.ThrowsAsync<MediaProcessingException>(() => impatient.ProbeAsync(fifo, CancellationToken.None));
            finished.Enqueue("hanging probe stopped");
        });
        while (runner.Running == 0) // the hanging probe holds the only slot
            await Task.Delay(10);
        var waiting = Task.Run(async () =>
        {
            await patient.ProbeAsync(good, CancellationToken.None);
            finished.Enqueue("good probe done");
        });
        await Task.WhenAll(hanging, waiting);

        Assert.Equal(["hanging probe stopped", "good probe done"], finished);
    }

    [Fact]
    public async Task Broken_input_fails_cleanly()
    {
        var broken = samples.PathOf("broken.mp4");
        var bytes = File.ReadAllBytes(H264Mp4("to-break.mp4"));
        Random.Shared.NextBytes(bytes.AsSpan(32)); // keep the ftyp box, scramble the rest
        await File.WriteAllBytesAsync(broken, bytes);

        var failure = await Assert.ThrowsAsync<MediaProcessingException>(() => Processor().ProbeAsync(broken, CancellationToken.None));

        Assert.Equal(MediaProcessingException.Undecodable, failure.Code);
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and reorder).</summary>
    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
