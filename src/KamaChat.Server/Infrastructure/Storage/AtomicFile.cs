namespace KamaChat.Server.Infrastructure.Storage;

/// <summary>
/// Writes a file so that a reader sees either nothing or all of it: the content goes to a temporary name in the same
/// directory, and one rename puts it in place. A reader that lists or opens the file while it is being written (a mail
/// client, a test, another node) can therefore never see it half-written or find it locked.
/// </summary>
public static class AtomicFile
{
    /// <summary>Owner read/write only, for secrets.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode Default = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Writes <paramref name="path"/> with what <paramref name="write"/> puts into the stream, replacing an existing file.</summary>
    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var temporary = TemporaryNameFor(path);
        try
        {
            await using (var stream = new FileStream(temporary, Options(Default)))
            {
                await write(stream, cancellationToken);
                await stream.FlushAsync(cancellationToken);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Creates <paramref name="path"/> with <paramref name="content"/> unless it exists. Returns false when another writer
    /// got there first: the file then holds their content, complete.
    /// </summary>
    public static bool TryCreate(string path, byte[] content, UnixFileMode mode)
    {
        var temporary = TemporaryNameFor(path);
        try
        {
            using (var stream = new FileStream(temporary, Options(mode)))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            TryDelete(temporary);
            return false;
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Hidden and with its own extension, so a scan for the final name's pattern (e.g. *.eml) never lists it.</summary>
    private static string TemporaryNameFor(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }

    private static FileStreamOptions Options(UnixFileMode mode)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = mode;
        return options;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary file is harmless: nothing reads its name pattern.
        }
    }
}
