using System.Diagnostics;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// A throwaway clamd (Debian's clamav-daemon) on a free loopback port and a unix socket in a temp directory, with a
/// one-line signature database made by sigtool (the official database needs the internet). The signature matches
/// exactly <see cref="TestMalware"/>. Shared by the test run, ended with it by <see cref="TiedProcess"/>.
/// </summary>
public static class ClamAvServer
{
    public static readonly byte[] TestMalware = "KamaChat test signature: this file only pretends to be malware.\n"u8.ToArray();

    public const string SignatureName = "kamachat-test-malware";

    private static readonly Lazy<Task<(Uri Tcp, Uri Unix)>> Started = new(StartAsync);

    public static Task<(Uri Tcp, Uri Unix)> UrlsAsync() => Started.Value;

    private static async Task<(Uri, Uri)> StartAsync()
    {
        var clamd = new[] { "/usr/sbin/clamd", "/usr/bin/clamd" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("clamd was not found. Install Debian's 'clamav-daemon' package (./kamachat test does).");
        var root = Directory.CreateTempSubdirectory("kamachat-clamd-").FullName;
        var database = Directory.CreateDirectory(Path.Combine(root, "db")).FullName;
        var sample = Path.Combine(root, SignatureName);
        await File.WriteAllBytesAsync(sample, TestMalware);
        // "md5:size:name", one line: the whole database.
        var signature = Run("sigtool", ["--md5", sample], root);
        await File.WriteAllTextAsync(Path.Combine(database, "kamachat.hdb"), signature);
        File.Delete(sample);

        var port = ServiceProcess.FreeLoopbackPort();
        var socket = Path.Combine(root, "clamd.sock");
        var config = Path.Combine(root, "clamd.conf");
        await File.WriteAllLinesAsync(config,
        [
            "Foreground yes",
            $"LocalSocket {socket}",
            $"TCPSocket {port}",
            "TCPAddr 127.0.0.1",
            $"DatabaseDirectory {database}",
            $"PidFile {Path.Combine(root, "clamd.pid")}",
            $"LogFile {Path.Combine(root, "clamd.log")}",
            "SelfCheck 0",
        ]);
        var server = ServiceProcess.StartTied(clamd, [$"--config-file={config}"], root);
        await server.WaitForPortAsync(port, TimeSpan.FromSeconds(60));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort.
            }
        };
        return (new Uri($"tcp://127.0.0.1:{port}"), new Uri($"unix://{socket}"));
    }

    private static string Run(string program, string[] arguments, string directory)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{program} failed: {process.StandardError.ReadToEnd()}");
    }
}
