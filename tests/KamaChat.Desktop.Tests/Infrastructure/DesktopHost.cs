using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace KamaChat.Desktop.Tests.Infrastructure;

/// <summary>
/// KamaChat Desktop started as a user starts it (its executable, in the test session). Chromium also opens a
/// debugging port (--chromium-arg), only in tests, so the test drives the page independently of the app.
/// </summary>
public sealed class DesktopHost : IAsyncDisposable
{
    private readonly DesktopSession _session;
    private readonly Process _process;

    private readonly IReadOnlyDictionary<string, string> _environment;

    private DesktopHost(DesktopSession session, Process process, IReadOnlyDictionary<string, string> environment)
    {
        _session = session;
        _process = process;
        _environment = environment;
    }

    public static string Executable => Path.Combine(AppContext.BaseDirectory, "kamachat-desktop");

    public string DataDirectory => Path.Combine(Variable("XDG_DATA_HOME"), "kamachat-desktop");

    public string ConfigFile => Path.Combine(Variable("XDG_CONFIG_HOME"), "kamachat-desktop", "config.json");

    public string ProfileDirectory => Path.Combine(DataDirectory, "profile");

    private string ActivePortFile => Path.Combine(ProfileDirectory, "DevToolsActivePort");

    private string Variable(string name) => _environment.TryGetValue(name, out var value) ? value : _session.Environment[name];

    public bool HasExited => _process.HasExited;

    private static int s_started;

    public string LogFile { get; private init; } = "";

    /// <summary>What the app printed (its warnings), for failure messages.</summary>
    public string Output => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    /// <summary>How many times the app has said this (its log lines), e.g. "client connected in the window".</summary>
    public int Said(string text) => Output.Split('\n').Count(line => line.Contains(text, StringComparison.Ordinal));

    /// <summary>Waits until the app has said this <paramref name="times"/> times in all.</summary>
    public Task WaitUntilSaidAsync(string text, int times) =>
        DesktopSession.WaitUntilAsync(() => Task.FromResult(Said(text) >= times), $"the app to say \"{text}\" ({times})");

    public static Task<DesktopHost> StartAsync(DesktopSession session, params string[] arguments) =>
        StartAsync(session, new Dictionary<string, string>(), arguments);

    /// <summary>Starts the app; <paramref name="environment"/> overrides the session's (another user's XDG folders).</summary>
    public static Task<DesktopHost> StartAsync(DesktopSession session, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        StartAsync(session, Executable, environment, arguments);

    /// <summary>Starts this executable of the app (a packaged build, say) with the session's environment and these overrides.</summary>
    public static async Task<DesktopHost> StartAsync(DesktopSession session, string executable, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var profile = Path.Combine((environment.TryGetValue("XDG_DATA_HOME", out var data) ? data : session.Environment["XDG_DATA_HOME"]), "kamachat-desktop", "profile");
        if (Directory.Exists(profile))
            File.Delete(Path.Combine(profile, "DevToolsActivePort"));
        // The app's own output goes to a log the test shows when something fails.
        var log = Path.Combine(session.Root, $"app-{Interlocked.Increment(ref s_started)}.log");
        var process = session.Start("/bin/sh", ["-c", "exec \"$0\" \"$@\" >>\"$KAMACHAT_TEST_LOG\" 2>&1", executable, .. arguments, "--chromium-arg=--remote-debugging-port=0"],
            overrides: new Dictionary<string, string>(environment) { ["KAMACHAT_TEST_LOG"] = log });
        var host = new DesktopHost(session, process, environment) { LogFile = log };
        await host.WaitForBrowserAsync();
        return host;
    }

    private int Port => int.Parse(File.ReadAllLines(ActivePortFile)[0].Trim(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The app window pages the browser has now (hidden pages are not "page" targets), as (target id, URL).</summary>
    public async Task<IReadOnlyList<(string Id, string Url, Uri Socket)>> WindowPagesAsync()
    {
        using var http = new HttpClient();
        var targets = await http.GetFromJsonAsync<JsonElement>(new Uri($"http://127.0.0.1:{Port}/json/list"));
        return targets.EnumerateArray()
            .Where(t => t.GetProperty("type").GetString() == "page")
            .Select(t => (t.GetProperty("id").GetString()!, t.GetProperty("url").GetString()!, new Uri(t.GetProperty("webSocketDebuggerUrl").GetString()!)))
            .ToList();
    }

    /// <summary>Waits until the window with this page is gone (the browser itself stays, running the client hidden).</summary>
    public Task WaitForWindowClosedAsync(string targetId) =>
        DesktopSession.WaitUntilAsync(async () => (await WindowPagesAsync()).All(p => p.Id != targetId), "the window to close");

    /// <summary>Waits until a browser window of the app is up (its debugging port written), e.g. after the tray reopened it.</summary>
    public async Task WaitForBrowserAsync()
    {
        try
        {
            await DesktopSession.WaitUntilAsync(() => Task.FromResult(File.Exists(ActivePortFile) && File.ReadAllLines(ActivePortFile).Length >= 2 || _process.HasExited),
                "the app's browser window");
        }
        catch (Xunit.Sdk.FailException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message} The app said:\n{Output}");
        }
    }

    /// <summary>Connects to the app window's page once it shows a URL starting with <paramref name="urlPrefix"/> (another than <paramref name="except"/>).</summary>
    public async Task<PageDriver> PageAsync(string urlPrefix, string? except = null)
    {
        Assert.False(_process.HasExited, $"The app exited. It said:\n{Output}");
        (string Id, string Url, Uri Socket)? found = null;
        await DesktopSession.WaitUntilAsync(async () =>
        {
            try
            {
                found = (await WindowPagesAsync()).FirstOrDefault(p => p.Id != except && p.Url.StartsWith(urlPrefix, StringComparison.Ordinal));
                return found?.Id is not null;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, $"a page at {urlPrefix}");
        return await PageDriver.ConnectAsync(found!.Value.Socket, found.Value.Id);
    }

    /// <summary>The app's own process has ended (its watchdog follows within a second).</summary>
    public Task WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync().WaitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit(2000);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }
        _process.Dispose();
    }
}
