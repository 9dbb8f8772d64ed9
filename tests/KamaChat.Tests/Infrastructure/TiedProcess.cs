using System.Diagnostics;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// Starts a throwaway service so that it cannot outlive the test run. A ProcessExit handler alone is not
/// enough: the test host is often ended without running it, which leaves brokers and mail servers behind.
/// So the service runs under a small bash watchdog, in a process group of its own, that kills the group as
/// soon as the test process is gone (or the watchdog is killed).
/// </summary>
public static class TiedProcess
{
    private const string Watchdog = """
        set -m
        "$@" &
        child=$!
        stop() {
          kill -TERM -- "-$child" 2>/dev/null; sleep 1; kill -KILL -- "-$child" 2>/dev/null
          # epmd daemonizes out of the group: ask it to stop.
          [ -n "$KAMACHAT_TEST_EPMD_PORT" ] && epmd -port "$KAMACHAT_TEST_EPMD_PORT" -kill >/dev/null 2>&1
          exit 0
        }
        trap stop TERM INT HUP
        while kill -0 "$KAMACHAT_TEST_PARENT" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1 & wait $!; done
        stop
        """;

    public static Process Start(ProcessStartInfo service)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = service.RedirectStandardOutput,
            RedirectStandardError = service.RedirectStandardError,
            WorkingDirectory = service.WorkingDirectory,
        };
        foreach (var (name, value) in service.Environment)
            start.Environment[name] = value;
        start.Environment["KAMACHAT_TEST_PARENT"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Watchdog);
        start.ArgumentList.Add("kamachat-test-watchdog");
        start.ArgumentList.Add(service.FileName);
        foreach (var argument in service.ArgumentList)
            start.ArgumentList.Add(argument);

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {service.FileName}.");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                // SIGTERM to the watchdog: it stops the whole group, then exits.
                Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit(2000);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone; the watchdog also notices on its own within a second.
            }
        };
        return process;
    }

    /// <summary>
    /// Stops a service started by <see cref="Start"/> now (the watchdog sends its group SIGTERM, then SIGKILL a second
    /// later) and waits for the watchdog to exit, after which the service's ports are free again.
    /// </summary>
    public static async Task StopAsync(Process watchdog)
    {
        if (!watchdog.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", watchdog.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            if (kill is not null)
                await kill.WaitForExitAsync();
        }
        await watchdog.WaitForExitAsync();
    }
}
