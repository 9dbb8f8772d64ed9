using System.Diagnostics;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// The node programs under tests/support (a throwaway S3 server, reference implementations to check ours against),
/// installed by <c>./kamachat test</c> from tests/support/package-lock.json.
/// </summary>
public static class TestSupport
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Directory => Path.Combine(RepositoryRoot, "tests", "support");

    public static void EnsureInstalled()
    {
        if (!System.IO.Directory.Exists(Path.Combine(Directory, "node_modules")))
            throw new InvalidOperationException("tests/support/node_modules is missing: run ./kamachat test, or (cd tests/support && npm ci).");
    }

    /// <summary>Runs <c>node tests/support/{script}</c> with <paramref name="input"/> on stdin; returns stdout, or throws with stderr.</summary>
    public static async Task<string> RunNodeAsync(string script, string input, CancellationToken cancellationToken = default)
    {
        EnsureInstalled();
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Directory,
        };
        start.ArgumentList.Add(Path.Combine(Directory, script));
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"node {script} exited {process.ExitCode}: {await error}");
        return await output;
    }

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "KamaChat.slnx")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("The repository root (KamaChat.slnx) was not found above the test binaries.");
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
