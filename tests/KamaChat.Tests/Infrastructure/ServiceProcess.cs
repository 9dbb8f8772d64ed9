using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KamaChat.Tests.Infrastructure;

/// <summary>A service binary from the machine (redis-server, nginx, the KamaChat server itself) run as a child process for a test.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private ServiceProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    /// <summary>Starts a service under <see cref="TiedProcess"/>'s watchdog, so it cannot outlive the test run.</summary>
    public static ServiceProcess StartTied(string file, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        return new ServiceProcess(TiedProcess.Start(start));
    }

    public static ServiceProcess Start(string file, string arguments, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var service = new ServiceProcess(process);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => service.Kill();
        return service;
    }

    /// <summary>SIGKILL: the process gets no chance to clean up, like a node that loses power.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>
    /// SIGTERM, as systemd stops a service, then waits for the exit and the end of its output: what it logs as it stops,
    /// and everything its logger still held, is in <see cref="Output"/> afterwards.
    /// </summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        using (var signal = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await signal.WaitForExitAsync();
        using var deadline = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(deadline.Token);
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until something accepts TCP connections on the port (or the process dies).</summary>
    public async Task WaitForPortAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The process exited ({_process.ExitCode}): {Output}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"Nothing listened on {port} within {timeout}: {Output}");
    }

    private void Record(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            if (_output.Length < 200_000)
                _output.AppendLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

/// <summary>A throwaway redis-server (Debian's redis-server) on a free loopback port, shared by the test run.</summary>
public static class RedisServer
{
    private static readonly Lazy<Task<string>> Started = new(async () =>
    {
        if (Environment.GetEnvironmentVariable("KAMACHAT_TEST_REDIS") is { Length: > 0 } external)
            return external;
        return (await StartOwnAsync()).Url;
    });

    public static Task<string> UrlAsync() => Started.Value;

    /// <summary>
    /// A redis-server of the caller's own, for a test that stops it while a node uses it; given the port of one it
    /// stopped, it starts again there (empty: nothing is saved), as a restarted Redis would.
    /// </summary>
    public static async Task<(ServiceProcess Process, string Url)> StartOwnAsync(int? onPort = null)
    {
        var binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server was not found. Install Debian's 'redis-server' package, or set KAMACHAT_TEST_REDIS.");
        var port = onPort ?? ServiceProcess.FreeLoopbackPort();
        var directory = Directory.CreateTempSubdirectory("kamachat-redis-").FullName;
        var redis = ServiceProcess.StartTied(binary,
            ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory]);
        await redis.WaitForPortAsync(port, TimeSpan.FromSeconds(20));
        return (redis, $"redis://127.0.0.1:{port}");
    }
}
