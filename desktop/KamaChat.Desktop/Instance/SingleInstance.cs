using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace KamaChat.Desktop.Instance;

/// <summary>
/// One running app per user. The first instance holds a lock file and listens on a unix socket in the user's
/// runtime directory (0700); a later launch (a second click, or xdg-open of a kamachat:// link) sends its
/// arguments there and exits.
/// </summary>
public sealed class SingleInstance : IAsyncDisposable
{
    private readonly FileStream _lock;
    private readonly Socket _listener;
    private readonly string _socketPath;
    private readonly CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;

    private SingleInstance(FileStream lockFile, Socket listener, string socketPath)
    {
        _lock = lockFile;
        _listener = listener;
        _socketPath = socketPath;
    }

    /// <summary>Becomes the running instance, or returns null when another one is already running.</summary>
    public static SingleInstance? TryAcquire(string socketPath)
    {
        FileStream lockFile;
        try
        {
            // .NET takes an advisory flock for FileShare.None: held until this process exits, however it exits.
            lockFile = new FileStream(socketPath + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
        File.Delete(socketPath); // left by an instance that crashed; the lock says nobody listens on it
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        listener.Listen(8);
        return new SingleInstance(lockFile, listener, socketPath);
    }

    /// <summary>Calls <paramref name="received"/> with the arguments of every later launch.</summary>
    public void Start(Func<IReadOnlyList<string>, Task> received) => _accepting = AcceptAsync(received);

    private async Task AcceptAsync(Func<IReadOnlyList<string>, Task> received)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = HandleAsync(client, received);
        }
    }

    private static async Task HandleAsync(Socket client, Func<IReadOnlyList<string>, Task> received)
    {
        using (client)
        await using (var stream = new NetworkStream(client))
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            try
            {
                var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5));
                var arguments = line is null ? null : JsonSerializer.Deserialize<string[]>(line);
                if (arguments is null)
                    return;
                await received(arguments);
                await stream.WriteAsync("ok\n"u8.ToArray());
            }
            catch (Exception e) when (e is not (JsonException or IOException or TimeoutException))
            {
                await Console.Error.WriteLineAsync($"kamachat-desktop: could not carry out a launch's request: {e}");
            }
            catch (Exception e) when (e is JsonException or IOException or TimeoutException)
            {
                // A stray or broken client: it gets no answer.
            }
        }
    }

    /// <summary>Hands the arguments to the running instance; false if none answered within the time given.</summary>
    public static async Task<bool> SendAsync(string socketPath, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
                await using var stream = new NetworkStream(socket);
                await stream.WriteAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(arguments) + "\n"));
                using var reader = new StreamReader(stream, Encoding.UTF8);
                return await reader.ReadLineAsync().WaitAsync(timeout) == "ok";
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                // The running instance holds the lock but is still starting its listener.
                await Task.Delay(100);
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException)
            {
                return false;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        File.Delete(_socketPath);
        await _lock.DisposeAsync();
        _stop.Dispose();
    }
}
