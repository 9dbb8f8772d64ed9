namespace KamaChat.Desktop.Tray;

/// <summary>
/// A D-Bus signal of an object we export. Tmds.DBus subscribes to it when the object is registered (through the
/// interface's Watch…Async method); raising it emits the signal on the bus.
/// </summary>
public sealed class Signal : Signal<bool>
{
    public Task<IDisposable> Add(Action handler) => Add(_ => handler());

    public void Raise() => Raise(true);

    /// <summary>A subscription to nothing, for signals an object never raises.</summary>
    public static IDisposable None { get; } = new NoSubscription();

    private sealed class NoSubscription : IDisposable
    {
        public void Dispose()
        {
        }
    }
}

public class Signal<T>
{
    private readonly Lock _lock = new();
    private Action<T>[] _handlers = [];

    public Task<IDisposable> Add(Action<T> handler)
    {
        lock (_lock)
            _handlers = [.. _handlers, handler];
        return Task.FromResult<IDisposable>(new Subscription(() =>
        {
            lock (_lock)
                _handlers = [.. _handlers.Where(h => h != handler)];
        }));
    }

    public void Raise(T value)
    {
        foreach (var handler in _handlers)
            handler(value);
    }

    private sealed class Subscription(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
