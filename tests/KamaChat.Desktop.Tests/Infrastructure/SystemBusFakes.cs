using KamaChat.Desktop.Power;
using KamaChat.Desktop.Tray;
using Tmds.DBus;

namespace KamaChat.Desktop.Tests.Infrastructure;

/// <summary>logind's manager on the test session's own system bus: the test makes the machine sleep and wake.</summary>
public sealed class FakeLogin : ILoginManager
{
    private readonly Signal<bool> _prepareForSleep = new();

    public ObjectPath ObjectPath => new("/org/freedesktop/login1");

    public Task<IDisposable> WatchPrepareForSleepAsync(Action<bool> handler, Action<Exception>? onError = null) => _prepareForSleep.Add(handler);

    /// <summary>What logind says around a suspend: PrepareForSleep(true) before, PrepareForSleep(false) after waking.</summary>
    public void SleepAndWake()
    {
        _prepareForSleep.Raise(true);
        _prepareForSleep.Raise(false);
    }
}

/// <summary>NetworkManager on the test session's own system bus: the test changes the network.</summary>
public sealed class FakeNetworkManager : INetworkManager
{
    private readonly Signal<uint> _stateChanged = new();

    public ObjectPath ObjectPath => new("/org/freedesktop/NetworkManager");

    public Task<IDisposable> WatchStateChangedAsync(Action<uint> handler, Action<Exception>? onError = null) => _stateChanged.Add(handler);

    /// <summary>Wi-Fi lost and found again: "disconnected" (20), then "connected, global" (70).</summary>
    public void Reconnect()
    {
        _stateChanged.Raise(20);
        _stateChanged.Raise(70);
    }
}
