using System.Diagnostics;
using KamaChat.Desktop.Config;

namespace KamaChat.Desktop.Browser;

/// <summary>What to start: the browser, its first window's page (none: no window yet), and where that window goes.</summary>
public sealed record LaunchOptions(string Browser, string? Url, string ProfileDirectory, string LogFile)
{
    public WindowBounds? Bounds { get; init; }

    /// <summary>Extra switches from the command line (--chromium-arg), e.g. --ozone-platform=wayland.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];
}

/// <summary>Finds and starts a Chromium-family browser in app mode, driven over its DevTools pipe.</summary>
public static class Chromium
{
    private static readonly string[] Candidates =
        ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome", "microsoft-edge-stable", "microsoft-edge", "brave-browser"];

    /// <summary>The configured browser, else the first Chromium-family browser on PATH; null when there is none.</summary>
    public static string? Find(string? configured)
    {
        foreach (var name in configured is { Length: > 0 } ? [configured] : Candidates)
        {
            if (Path.IsPathRooted(name))
            {
                if (File.Exists(name))
                    return name;
                continue;
            }
            foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        return null;
    }

    public static IReadOnlyList<string> Arguments(LaunchOptions options)
    {
        var arguments = new List<string>
        {
            "--remote-debugging-pipe",
            $"--user-data-dir={options.ProfileDirectory}",
            options.Url is { } url ? $"--app={url}" : "--no-startup-window",
            // The browser outlives its windows: the app keeps running the client in a hidden page while in the tray.
            "--keep-alive-for-test",
            // That page, and a window in the background, keep their timers (the gateway's keep-alive) at full speed.
            "--disable-background-timer-throttling",
            "--disable-renderer-backgrounding",
            "--disable-backgrounding-occluded-windows",
            // The window's WM_CLASS, so the desktop groups it under kamachat.desktop (StartupWMClass).
            "--class=KamaChat",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-default-apps",
            // Calls: a ringing call and the other side's audio play without a click first. (The microphone and camera
            // are granted to the server's origin over DevTools: AppBrowser.GrantMediaAsync.)
            "--autoplay-policy=no-user-gesture-required",
        };
        if (options.Bounds is { } bounds)
        {
            arguments.Add($"--window-position={bounds.Left},{bounds.Top}");
            arguments.Add($"--window-size={bounds.Width},{bounds.Height}");
        }
        // Chromium refuses to run as root with its sandbox (containers, CI); a desktop user is never root.
        if (Environment.IsPrivilegedProcess)
            arguments.Add("--no-sandbox");
        arguments.AddRange(options.ExtraArguments);
        return arguments;
    }

    /// <summary>
    /// Opens another app window in the running browser: a second start with the same profile hands its command line
    /// to the first (Chromium's process singleton) and exits at once; the window appears in the first, on our pipe.
    /// </summary>
    public static async Task OpenWindowInRunningBrowserAsync(LaunchOptions options, string url, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(options.Browser) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add($"--user-data-dir={options.ProfileDirectory}");
        start.ArgumentList.Add($"--app={url}");
        if (Environment.IsPrivilegedProcess)
            start.ArgumentList.Add("--no-sandbox");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {options.Browser}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            // Handing over takes a moment; a start that stays up found no browser to hand over to and became one.
            await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("The browser did not take the new window.");
        }
        await output;
        await errors;
    }

    /// <summary>
    /// Starts the browser with its fd 3 and 4 connected to our stdin/stdout pipes (a shell moves them there, since
    /// .NET passes only 0–2 to a child). Its own output goes to the log file.
    /// </summary>
    public static (Process Process, CdpConnection Connection) Launch(LaunchOptions options)
    {
        Directory.CreateDirectory(options.ProfileDirectory);
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" 3<&0 4>&1 0</dev/null 1>&2");
        start.ArgumentList.Add("kamachat-browser");
        start.ArgumentList.Add(options.Browser);
        foreach (var argument in Arguments(options))
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {options.Browser}.");

        var log = new StreamWriter(options.LogFile, append: true) { AutoFlush = true };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                log.Dispose();
                return;
            }
            lock (log)
                log.WriteLine(e.Data);
        };
        process.BeginErrorReadLine();
        var transport = new PipeTransport(process.StandardInput.BaseStream, process.StandardOutput.BaseStream);
        return (process, new CdpConnection(transport));
    }
}
