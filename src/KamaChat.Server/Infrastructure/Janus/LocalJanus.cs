using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace KamaChat.Server.Infrastructure.Janus;

/// <summary>
/// A Janus child process of this server. It runs under a tiny shell watchdog that stops it as soon as this server's
/// process is gone, so a server killed without running its shutdown (SIGKILL, a crash) leaves no Janus behind.
/// </summary>
public sealed class LocalJanus : IAsyncDisposable
{
    // Stops Janus (TERM, then KILL after 5 s) when told to, or when the server process disappears.
    private const string Watchdog = """
        "$@" &
        child=$!
        stop() {
          kill -TERM "$child" 2>/dev/null
          for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$child" 2>/dev/null || exit 0; sleep 0.5; done
          kill -KILL "$child" 2>/dev/null
          exit 0
        }
        trap stop TERM INT HUP
        while kill -0 "$KAMACHAT_SERVER_PID" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1 & wait $!; done
        kill -0 "$child" 2>/dev/null && stop
        wait "$child"
        """;

    private readonly Process _process;
    private readonly ILogger _logger;
    private readonly Queue<string> _tail = new();

    private LocalJanus(Process process, LocalJanusConfig config, ILogger logger)
    {
        _process = process;
        Config = config;
        _logger = logger;
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Exited = process.WaitForExitAsync();
    }

    public LocalJanusConfig Config { get; }

    /// <summary>The watchdog's process id (Janus is its child).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Completes when Janus (and its watchdog) has exited.</summary>
    public Task Exited { get; }

    /// <summary>Janus's last lines of output, for saying why it failed.</summary>
    public string Tail
    {
        get
        {
            lock (_tail)
                return string.Join('\n', _tail);
        }
    }

    /// <summary>Writes a fresh configuration, starts Janus and waits until its API answers.</summary>
    public static async Task<LocalJanus> StartAsync(string binary, string libraryDirectory, JanusOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var config = LocalJanusConfig.Write(options.ConfigDirectory, libraryDirectory, FreeLoopbackPort(), options);
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            WorkingDirectory = config.Directory,
        };
        start.Environment["KAMACHAT_SERVER_PID"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (var argument in new[] { "-c", Watchdog, "kamachat-janus-watchdog", binary, "-F", config.Directory })
            start.ArgumentList.Add(argument);
        var janus = new LocalJanus(Process.Start(start) ?? throw new InvalidOperationException($"Could not start {binary}."), config, logger);
        try
        {
            await janus.WaitUntilAnsweringAsync(cancellationToken);
            return janus;
        }
        catch
        {
            await janus.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilAnsweringAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var info = new Uri(Config.ApiUrl.AbsoluteUri + "/info");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (Exited.IsCompleted)
                throw new InvalidOperationException($"Janus exited during start-up: {Tail}");
            try
            {
                using var response = await http.GetAsync(info, cancellationToken);
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // One attempt timed out.
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(15))
                throw new TimeoutException($"Janus did not answer on {Config.ApiUrl} within 15 s: {Tail}");
            await Task.Delay(100, cancellationToken);
        }
    }

    private void Record(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
            return;
        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > 40)
                _tail.Dequeue();
        }
        if (line.StartsWith("[ERR]", StringComparison.Ordinal) || line.StartsWith("[FATAL]", StringComparison.Ordinal))
            _logger.LogError("janus: {Line}", line);
        else if (line.StartsWith("[WARN]", StringComparison.Ordinal))
            _logger.LogWarning("janus: {Line}", line);
        else
            _logger.LogDebug("janus: {Line}", line);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops Janus: SIGTERM to the watchdog, which ends Janus (SIGKILL after 5 s) and then itself.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
                await Exited.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        await Exited;
        _process.Dispose();
    }
}
