using System.Diagnostics;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// Real file-system faults for storage tests: an immutable directory (chattr +i, which even root cannot write to) and a
/// small tmpfs that can really be filled. Both need root, as CI runs; a test that cannot set them up fails saying so.
/// </summary>
public static class FileSystemFaults
{
    /// <summary>
    /// Makes the directory and the files in it unwritable: no new files, no renames, and writes through handles already
    /// open fail too. SQLite's shared-memory index (*-shm) is left alone: SQLite maps it into memory, where a refused
    /// write is a SIGBUS that kills the process rather than an error it could report (a real read-only remount does that).
    /// </summary>
    public static async Task FreezeAsync(string directory)
    {
        var files = Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith("-shm", StringComparison.Ordinal));
        await RunAsync("chattr", ["+i", directory, .. files]);
    }

    public static Task ThawAsync(string directory) => RunAsync("chattr", "-R", "-i", directory);

    public static Task MountTmpfsAsync(string directory, string size) =>
        RunAsync("mount", "-t", "tmpfs", "-o", $"size={size},mode=0755", "kamachat-test", directory);

    public static Task UnmountAsync(string directory) => RunAsync("umount", "--lazy", directory);

    /// <summary>Fills the file system holding <paramref name="directory"/> until it has no space left; returns the filler file.</summary>
    public static async Task<string> FillAsync(string directory)
    {
        var filler = Path.Combine(directory, "filler");
        await using var stream = new FileStream(filler, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        // Big pieces first, then page-sized ones, so not even one page is left free.
        foreach (var size in new[] { 64 * 1024, 4096 })
        {
            var chunk = new byte[size];
            try
            {
                while (true)
                    await stream.WriteAsync(chunk);
            }
            catch (IOException)
            {
                // ENOSPC: no room for a piece this size. Keep what was written.
            }
        }
        return filler;
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"'{file} {string.Join(' ', arguments)}' failed ({error.Trim()}). Storage-fault tests need root, as CI runs them.");
    }
}
