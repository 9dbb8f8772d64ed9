using System.Diagnostics;
using KamaChat.Desktop.Keyring;
using KamaChat.Tests.Infrastructure;
using Tmds.DBus;

namespace KamaChat.Desktop.Tests.Infrastructure;

/// <summary>
/// A desktop session of our own, like a user's login: an X server (Xvfb), a private D-Bus session bus, a
/// notification daemon (dunst), the keyring (gnome-keyring, unlocked as at login), a tray watcher, a system bus of its
/// own where the test plays logind and NetworkManager, and a real KamaChat server. Every process runs under the test watchdog; HOME and the XDG folders are temp directories.
/// </summary>
public sealed class DesktopSession : IAsyncLifetime
{
    private readonly List<Process> _services = [];

    public string Root { get; } = Directory.CreateTempSubdirectory("kamachat-desktop-test-").FullName;

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>The tests' own connection to the session bus (reads the tray, watches notifications).</summary>
    public Connection Bus { get; private set; } = null!;

    public TrayWatcher Watcher { get; } = new();

    /// <summary>The session's own system bus, where the test plays logind and NetworkManager.</summary>
    public Connection SystemBus { get; private set; } = null!;

    public FakeLogin Login { get; } = new();

    public FakeNetworkManager Network { get; } = new();

    public KamaChatServer Server { get; private set; } = null!;

    private ApiUser? _user;

    /// <summary>The person using the app in these tests (one account; the app's profile keeps it signed in between tests).</summary>
    public async Task<ApiUser> UserAsync() => _user ??= await Server.RegisterAsync("desk");

    public static string ScreenshotDirectory => Path.Combine(KamaChatServer.RepositoryRoot, "tests", "KamaChat.Desktop.Tests", "screenshots");

    public async Task InitializeAsync()
    {
        foreach (var tool in new[] { "Xvfb", "dbus-daemon", "dunst", "dunstctl", "gnome-keyring-daemon", "xdotool", "xdg-open", "secret-tool", "xmessage" })
        {
            if (FindOnPath(tool) is null)
                throw new InvalidOperationException($"The desktop tests need {tool} (./kamachat test installs xvfb, dbus, dunst, gnome-keyring, libsecret-tools, xdotool, xdg-utils and x11-utils).");
        }
        var home = Directory.CreateDirectory(Path.Combine(Root, "home")).FullName;
        var runtime = Directory.CreateDirectory(Path.Combine(Root, "run"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        Environment["HOME"] = home;
        Environment["XDG_CONFIG_HOME"] = Path.Combine(Root, "config");
        Environment["XDG_DATA_HOME"] = Path.Combine(Root, "data");
        Environment["XDG_CACHE_HOME"] = Path.Combine(Root, "cache");
        Environment["XDG_RUNTIME_DIR"] = runtime;
        Environment["XDG_CURRENT_DESKTOP"] = "";
        Environment["NO_AT_BRIDGE"] = "1";

        var xvfb = Start("Xvfb", ["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset"], readOutput: true);
        Environment["DISPLAY"] = ":" + await FirstLineAsync(xvfb, "Xvfb");

        var bus = Start("dbus-daemon", ["--session", "--nofork", "--nopidfile", $"--address=unix:path={Path.Combine(Root, "bus")}", "--print-address=1"], readOutput: true);
        Environment["DBUS_SESSION_BUS_ADDRESS"] = await FirstLineAsync(bus, "dbus-daemon");

        Bus = new Connection(Environment["DBUS_SESSION_BUS_ADDRESS"]);
        await Bus.ConnectAsync();

        // A system bus of the session's own (not the machine's), with logind and NetworkManager played by the test.
        var systemBus = Start("dbus-daemon", ["--session", "--nofork", "--nopidfile", $"--address=unix:path={Path.Combine(Root, "system-bus")}", "--print-address=1"], readOutput: true);
        Environment["DBUS_SYSTEM_BUS_ADDRESS"] = await FirstLineAsync(systemBus, "dbus-daemon (system)");
        SystemBus = new Connection(Environment["DBUS_SYSTEM_BUS_ADDRESS"]);
        await SystemBus.ConnectAsync();
        await SystemBus.RegisterObjectAsync(Login);
        await SystemBus.RegisterServiceAsync("org.freedesktop.login1");
        await SystemBus.RegisterObjectAsync(Network);
        await SystemBus.RegisterServiceAsync("org.freedesktop.NetworkManager");

        // Notifications stay on screen until acted on or closed, so a test can act on them. Each one the app shows is
        // recorded as the daemon received it (urgency, category, summary), and the context menu (a notification's
        // buttons) goes to a "menu" that picks the entry the test asked for, as a person picks one in dmenu.
        var dunstrc = Path.Combine(Root, "dunstrc");
        var record = await WriteScriptAsync("record-notification", $"printf '%s\\t%s\\t%s\\n' \"$DUNST_URGENCY\" \"$DUNST_CATEGORY\" \"$DUNST_SUMMARY\" >> '{NotificationRecord}'");
        var menu = await WriteScriptAsync("notification-menu", $"grep -m1 -F \"$(cat '{MenuChoice}')\"");
        await File.WriteAllTextAsync(dunstrc, $"""
            [global]
                follow = none
                dmenu = {menu}
            [urgency_low]
                timeout = 0
            [urgency_normal]
                timeout = 0
            [urgency_critical]
                timeout = 0
            [record]
                appname = KamaChat
                script = {record}
            """);
        Start("dunst", ["-config", dunstrc]);
        await WaitForNameAsync("org.freedesktop.Notifications");

        // As at login: the keyring daemon gets the user's password on stdin and unlocks (here: creates) the login keyring.
        Start("/bin/sh", ["-c", "printf %s \"$1\" | exec gnome-keyring-daemon --foreground --unlock --components=secrets", "sh", "login-password"]);
        await WaitForNameAsync("org.freedesktop.secrets");
        await WaitUntilAsync(async () => await Bus.CreateProxy<ISecretService>("org.freedesktop.secrets", "/org/freedesktop/secrets").ReadAliasAsync("default") != new ObjectPath("/"),
            "the login keyring");

        await Bus.RegisterObjectAsync(Watcher);
        await Bus.RegisterServiceAsync("org.kde.StatusNotifierWatcher");

        Server = await KamaChatServer.StartAsync(Path.Combine(Root, "server"));
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    /// <summary>Starts a session process (a desktop tool, the app) with the session's environment.</summary>
    public Process Start(string file, IEnumerable<string> arguments, bool readOutput = false, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = readOutput, RedirectStandardError = false, WorkingDirectory = Root };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in Environment)
            start.Environment[name] = value;
        foreach (var (name, value) in overrides ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        var process = TiedProcess.Start(start);
        _services.Add(process);
        return process;
    }

    /// <summary>Runs a short command in the session (dunstctl, xdotool, xdg-open, secret-tool) and returns its output.</summary>
    public Task<string> RunAsync(string file, params string[] arguments) => RunWithInputAsync(null, file, arguments);

    /// <summary>The same, with <paramref name="input"/> on its standard input (secret-tool store reads the secret there).</summary>
    public async Task<string> RunWithInputAsync(string? input, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null, WorkingDirectory = Root };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in Environment)
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}");
        return await output;
    }

    private string NotificationRecord => Path.Combine(Root, "notifications.tsv");

    private string MenuChoice => Path.Combine(Root, "menu-choice");

    private async Task<string> WriteScriptAsync(string name, string body)
    {
        var path = Path.Combine(Root, name);
        await File.WriteAllTextAsync(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>Every notification the app has shown in this session, as the daemon got it, oldest first.</summary>
    public IReadOnlyList<(string Urgency, string Category, string Summary)> RecordedNotifications() =>
        File.Exists(NotificationRecord)
            ? File.ReadAllLines(NotificationRecord).Select(line => line.Split('\t')).Select(f => (f[0], f[1], f[2])).ToList()
            : [];

    /// <summary>Picks the button with this label in the shown notification's menu (dunst's context menu), as a person would.</summary>
    public async Task ChooseNotificationButtonAsync(string label)
    {
        await File.WriteAllTextAsync(MenuChoice, label);
        await RunAsync("dunstctl", "context");
    }

    /// <summary>Notifications the daemon shows now (dunstctl count displayed + waiting).</summary>
    public async Task<int> ShownNotificationsAsync()
    {
        var displayed = int.Parse((await RunAsync("dunstctl", "count", "displayed")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var waiting = int.Parse((await RunAsync("dunstctl", "count", "waiting")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return displayed + waiting;
    }

    public async Task WaitForNameAsync(string name) => await WaitUntilAsync(() => Bus.IsServiceActiveAsync(name), name + " on the session bus");

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                if (await condition().WaitAsync(TimeSpan.FromSeconds(30)))
                    return;
            }
            catch (DBusException) when (DateTime.UtcNow < deadline)
            {
                // Not there yet.
            }
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Timed out waiting for {what}.");
            await Task.Delay(100);
        }
    }

    private static async Task<string> FirstLineAsync(Process process, string what) =>
        (await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20)))?.Trim()
            ?? throw new InvalidOperationException($"{what} did not start.");

    private static string? FindOnPath(string tool) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    public async Task DisposeAsync()
    {
        Bus?.Dispose();
        SystemBus?.Dispose();
        if (Server is not null)
            await Server.DisposeAsync();
        foreach (var service in Enumerable.Reverse(_services))
        {
            try
            {
                // SIGTERM to a watchdog stops its whole process group.
                Process.Start("kill", ["-TERM", service.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit(2000);
                await service.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
            }
        }
        // KAMACHAT_TEST_KEEP=1 leaves the session's folder (the app's logs, browser.log, profile) to look into.
        if (System.Environment.GetEnvironmentVariable("KAMACHAT_TEST_KEEP") == "1")
            return;
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A process still closing its files; the temp folder is cleaned by the system.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DesktopCollection : ICollectionFixture<DesktopSession>
{
    public const string Name = "desktop session";
}
