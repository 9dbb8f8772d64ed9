using System.Runtime.CompilerServices;

namespace KamaChat.Server.Infrastructure.Storage;

/// <summary>
/// Media on this node's disk (the default, <c>data/media</c>). A write goes to a temporary file in the same file
/// system and is renamed into place when complete, so a reader sees the old object or the new one, never half of
/// one, and a crash leaves only a temporary file (removed by <see cref="DeleteStaleTemporaryFiles"/>).
/// </summary>
public sealed class LocalDiskStorage : IMediaStorage
{
    /// <summary>Inside the root, so renames never cross file systems; '.' keeps it out of every valid key.</summary>
    private const string TemporaryDirectoryName = ".partial";

    private readonly string _root;
    private readonly string _temporary;
    private readonly MediaUrlSigner _signer;

    public LocalDiskStorage(string directory, MediaUrlSigner signer)
    {
        _root = Path.GetFullPath(directory);
        _temporary = Path.Combine(_root, TemporaryDirectoryName);
        _signer = signer;
        Directory.CreateDirectory(_temporary);
    }

    public string Backend => "local";

    public string RootDirectory => _root;

    public async Task<long> PutAsync(string key, Stream content, long? length, string contentType, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        var temporary = Path.Combine(_temporary, $"{Guid.NewGuid():N}.part");
        try
        {
            long written;
            // No FileStream buffer: the copy hands it whole writes of StreamCopy.BufferBytes already.
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
            {
                written = await StreamCopy.CopyAsync(content, file, length, cancellationToken);
                // On disk before the rename makes it visible: a power cut must not leave a renamed but empty file.
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Move(temporary, path, overwrite: true);
            return written;
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    public Task<StoredObject?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        FileStream file;
        try
        {
            // Delete sharing: a concurrent delete or replace unlinks the name; this reader keeps the bytes it opened.
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<StoredObject?>(null);
        }
        var total = file.Length;
        if (range is not { } wanted)
            return Task.FromResult<StoredObject?>(new StoredObject(file, total, total, "application/octet-stream", null));
        try
        {
            var (first, last) = wanted.Resolve(total);
            file.Position = first;
            var length = last - first + 1;
            return Task.FromResult<StoredObject?>(new StoredObject(new BoundedStream(file, length), length, total, "application/octet-stream",
                ByteRange.Between(first, last)));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(File.Exists(PathOf(key)));

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.CompletedTask;
        }
        // Empty folders left by deleted attachments would pile up; remove them up to the root (a racing writer recreates its own).
        var directory = Path.GetDirectoryName(path);
        while (directory is not null && directory.Length > _root.Length)
        {
            try
            {
                Directory.Delete(directory);
            }
            catch (IOException)
            {
                break; // not empty
            }
            catch (UnauthorizedAccessException)
            {
                break;
            }
            directory = Path.GetDirectoryName(directory);
        }
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StorageKey.ValidatePrefix(prefix);
        // Start from the deepest folder the prefix names, then match the rest of it on the keys.
        var slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? _root : Path.Combine(_root, prefix[..slash].Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(start))
            yield break;
        foreach (var file in FilesUnder(start))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (!key.StartsWith(prefix, StringComparison.Ordinal) || !StorageKey.IsValid(key))
                continue;
            var info = new FileInfo(file);
            if (!info.Exists)
                continue; // deleted while we listed
            yield return new StoredObjectInfo(key, info.Length, info.LastWriteTimeUtc);
        }
        await Task.CompletedTask;
    }

    /// <summary>Every file below <paramref name="start"/>; a folder that vanishes while listed (a deletion pruning emptied folders) is skipped, not an error.</summary>
    private static IEnumerable<string> FilesUnder(string start)
    {
        var pending = new Stack<string>([start]);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            string[] files, directories;
            try
            {
                files = Directory.GetFiles(directory);
                directories = Directory.GetDirectories(directory);
            }
            catch (DirectoryNotFoundException)
            {
                continue;
            }
            foreach (var file in files)
                yield return file;
            foreach (var child in directories)
                pending.Push(child);
        }
    }

    public Uri GetReadUrl(string key, TimeSpan lifetime, ReadUrlOptions? options = null) =>
        new(_signer.Sign(key, lifetime, options), UriKind.Relative);

    /// <summary>Removes temporary files of writes that never finished (a crash mid-upload); called by the orphan sweep.</summary>
    public int DeleteStaleTemporaryFiles(TimeSpan olderThan, TimeProvider time)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - olderThan;
        var deleted = 0;
        foreach (var file in Directory.EnumerateFiles(_temporary))
        {
            if (File.GetLastWriteTimeUtc(file) < cutoff && TryDelete(file))
                deleted++;
        }
        return deleted;
    }

    /// <summary>The file for a key; the key rule plus this check make a path outside the root impossible.</summary>
    private string PathOf(string key)
    {
        StorageKey.Validate(key);
        var path = Path.GetFullPath(Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar)));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"'{key}' is not a valid storage key.", nameof(key));
        return path;
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
