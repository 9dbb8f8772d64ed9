using System.Runtime.InteropServices;
using KamaChat.Desktop;
using KamaChat.Desktop.Browser;
using KamaChat.Desktop.Config;
using KamaChat.Desktop.Instance;
using KamaChat.Desktop.Integration;
using KamaChat.Desktop.Power;
using Tmds.DBus;

var command = CommandLine.Parse(args);
if (command.Help)
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}
if (command.Error is { } error)
{
    await Console.Error.WriteLineAsync($"kamachat-desktop: {error}\n{CommandLine.Usage}");
    return 2;
}

var paths = DesktopPaths.FromEnvironment();
paths.EnsureCreated();

await using var instance = SingleInstance.TryAcquire(paths.InstanceSocket);
if (instance is null)
{
    // KamaChat is already running: it opens the link (or just shows its window), and this launch is done.
    return await SingleInstance.SendAsync(paths.InstanceSocket, args, TimeSpan.FromSeconds(15)) ? 0 : 1;
}

var config = new ConfigStore(paths.ConfigFile);
var browser = Chromium.Find(Environment.GetEnvironmentVariable("KAMACHAT_DESKTOP_BROWSER") ?? config.Current.Browser);
if (browser is null)
{
    await Console.Error.WriteLineAsync("kamachat-desktop: KamaChat Desktop shows KamaChat in Chromium's app mode and found no Chromium-family browser. "
        + "Install one (Debian/Ubuntu: sudo apt install chromium), or set KAMACHAT_DESKTOP_BROWSER to its path.");
    return 1;
}

DesktopEntry.Register(paths, Environment.ProcessPath!, Resources.Read("kamachat.svg"));

using var bus = new Connection(Address.Session);
try
{
    await bus.ConnectAsync();
}
catch (Exception e) when (e is ConnectException or ArgumentException)
{
    await Console.Error.WriteLineAsync($"kamachat-desktop: no D-Bus session bus ({e.Message}); the tray, notifications and keyring need one.");
    return 1;
}

await using var app = new DesktopApp(paths, config, bus, browser, command.ChromiumArguments);
// Listening before the window opens, so no wake-up is missed once the page runs.
using var sessionSignals = Address.System is { } systemBus ? await SessionSignals.WatchAsync(systemBus, app.NotifyResumed) : null;
await app.StartAsync(command);
instance.Start(arguments => app.ApplyAsync(CommandLine.Parse(arguments)));

using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    app.Quit();
});
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
{
    context.Cancel = true;
    app.Quit();
});
await app.Quitting;
return 0;
