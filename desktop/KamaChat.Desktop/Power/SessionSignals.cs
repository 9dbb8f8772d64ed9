using Tmds.DBus;

namespace KamaChat.Desktop.Power;

[DBusInterface("org.freedesktop.login1.Manager")]
public interface ILoginManager : IDBusObject
{
    Task<IDisposable> WatchPrepareForSleepAsync(Action<bool> handler, Action<Exception>? onError = null);
}

[DBusInterface("org.freedesktop.NetworkManager")]
public interface INetworkManager : IDBusObject
{
    Task<IDisposable> WatchStateChangedAsync(Action<uint> handler, Action<Exception>? onError = null);
}

/// <summary>
/// Wake-ups the page's gateway should hear about at once instead of at its next retry: the machine resumed from
/// sleep (logind's PrepareForSleep(false)) or the network came back (NetworkManager reached "connected").
/// Both live on the system bus; without one (a container, a test session) there is simply nothing to hear.
/// </summary>
public sealed class SessionSignals : IDisposable
{
    private const uint NetworkConnectedGlobal = 70;
    private readonly List<IDisposable> _subscriptions = [];
    private Connection? _bus;

    public static async Task<SessionSignals> WatchAsync(string systemBusAddress, Action<string> resumed)
    {
        var signals = new SessionSignals();
        try
        {
            signals._bus = new Connection(systemBusAddress);
            await signals._bus.ConnectAsync();
            var login = signals._bus.CreateProxy<ILoginManager>("org.freedesktop.login1", "/org/freedesktop/login1");
            signals._subscriptions.Add(await login.WatchPrepareForSleepAsync(sleeping =>
            {
                if (!sleeping)
                    resumed("sleep");
            }));
            var network = signals._bus.CreateProxy<INetworkManager>("org.freedesktop.NetworkManager", "/org/freedesktop/NetworkManager");
            signals._subscriptions.Add(await network.WatchStateChangedAsync(state =>
            {
                if (state == NetworkConnectedGlobal)
                    resumed("network");
            }));
        }
        catch (Exception e) when (e is ConnectException or DBusException or DisconnectedException or InvalidOperationException or ArgumentException)
        {
            Console.Error.WriteLine($"kamachat-desktop: no system bus signals ({e.Message}); the page reconnects on its own.");
        }
        return signals;
    }

    public void Dispose()
    {
        foreach (var subscription in _subscriptions)
            subscription.Dispose();
        _bus?.Dispose();
    }
}
