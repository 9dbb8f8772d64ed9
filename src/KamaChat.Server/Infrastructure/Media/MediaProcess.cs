using System.Diagnostics;
using System.Text;

namespace KamaChat.Server.Infrastructure.Media;

/// <summary>
/// Runs ffmpeg and ffprobe: at most <see cref="MediaOptions.FfmpegConcurrency"/> at once on this node, each within
/// a timeout after which its whole process tree is killed (a probe of a file that never ends, a pipe with no writer).
/// </summary>
public sealed class MediaProcessRunner(MediaOptions options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.FfmpegConcurrency, options.FfmpegConcurrency);

    /// <summary>Processes running now (not those waiting for a slot).</summary>
    public int Running => options.FfmpegConcurrency - _slots.CurrentCount;

    /// <summary>Runs the program to its end and returns its exit code and the tail of what it wrote to stderr.</summary>
    /// <param name="standardOutput">Given the process's stdout to read while it runs (progress lines, raw samples); null discards it.</param>
    /// <exception cref="MediaProcessingException">With <see cref="MediaProcessingException.TimedOut"/> when the timeout passed.</exception>
    public async Task<(int ExitCode, string Errors)> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout,
        Func<Stream, CancellationToken, Task>? standardOutput, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            var start = new ProcessStartInfo(program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (var argument in arguments)
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
            process.StandardInput.Close();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            var errors = ReadTailAsync(process.StandardError, deadline.Token);
            var output = standardOutput is null
                ? process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, deadline.Token)
                : standardOutput(process.StandardOutput.BaseStream, deadline.Token);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
                await output;
                return (process.ExitCode, await errors);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                if (cancellationToken.IsCancellationRequested)
                    throw;
                throw new MediaProcessingException(MediaProcessingException.TimedOut,
                    $"{Path.GetFileName(program)} did not finish within {timeout.TotalSeconds:0} s and was stopped.");
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>The last few KiB of a stream: enough to say why ffmpeg failed, never the whole of a chatty log.</summary>
    private static async Task<string> ReadTailAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        var tail = new StringBuilder();
        try
        {
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                tail.AppendLine(line);
                if (tail.Length > 8192)
                    tail.Remove(0, tail.Length - 4096);
            }
        }
        catch (OperationCanceledException)
        {
        }
        return tail.ToString().Trim();
    }
}
