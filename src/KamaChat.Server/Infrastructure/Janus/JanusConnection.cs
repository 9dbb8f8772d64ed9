namespace KamaChat.Server.Infrastructure.Janus;

/// <summary>
/// This node's connections to the media server's Janus instances, one per instance, made on first use: a room is
/// administered, and its participants signalled, through the connection of the instance it lives on
/// (<see cref="MediaServer.For"/>).
/// </summary>
public sealed class JanusConnections(MediaServer mediaServer, ILogger<JanusConnection> logger) : IAsyncDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, JanusConnection> _connections = new();

    /// <summary>The connection to the instance that carries <paramref name="roomId"/>.</summary>
    public JanusConnection ForRoom(long roomId) =>
        mediaServer.For(roomId) is { } instance
            ? _connections.GetOrAdd(instance.Index, index => new JanusConnection(mediaServer, index, logger))
            : throw new InvalidOperationException("This server has no Janus: calls run peer to peer.");

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections.Values)
            await connection.DisposeAsync();
    }
}

/// <summary>
/// This node's session on one Janus instance (the <paramref name="instance"/>th of <see cref="MediaServer.Instances"/>):
/// made on first use, made again when Janus forgot it (a Janus restart, or this node unreachable for longer than
/// Janus's session_timeout). Every room this node administers there and every participant it signals for there lives
/// in this one session, so they all end with it.
/// </summary>
public sealed class JanusConnection(MediaServer mediaServer, int instance, ILogger logger) : IAsyncDisposable
{
    public const string VideoRoomPlugin = "janus.plugin.videoroom";

    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        // Each request has its own deadline; the long poll waits up to a minute.
        Timeout = Timeout.InfiniteTimeSpan,
    };
    private readonly SemaphoreSlim _gate = new(1, 1);
    private JanusSession? _session;
    private JanusHandle? _control;

    /// <summary>The Janus this connection talks to (as of now: a local Janus gets new secrets when it restarts).</summary>
    public JanusEndpoint? Endpoint => instance < mediaServer.Instances.Count ? mediaServer.Instances[instance] : null;

    /// <summary>The session, made (again) if there is none alive.</summary>
    public async Task<JanusSession> SessionAsync(CancellationToken cancellationToken) =>
        (await CurrentAsync(cancellationToken)).Session;

    /// <summary>A VideoRoom handle for room administration (create, destroy, allowed, kick, moderate, list).</summary>
    public async Task<JanusHandle> ControlHandleAsync(CancellationToken cancellationToken) =>
        (await CurrentAsync(cancellationToken)).Control;

    private async Task<(JanusSession Session, JanusHandle Control)> CurrentAsync(CancellationToken cancellationToken)
    {
        if (_session is { IsClosed: false } alive && _control is { } control)
            return (alive, control);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_session is { IsClosed: false } current && _control is { } existing)
                return (current, existing);
            if (_session is not null)
            {
                logger.LogWarning("Janus session {Session} is gone; starting a new one", _session.Id);
                await _session.DisposeAsync();
            }
            var instances = mediaServer.Instances;
            var endpoint = instance < instances.Count ? instances[instance] : throw new InvalidOperationException("This server has no Janus: calls run peer to peer.");
            _session = await JanusSession.CreateAsync(_http, endpoint, logger, cancellationToken);
            _control = await _session.AttachAsync(VideoRoomPlugin, cancellationToken);
            return (_session, _control);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_session is not null)
            await _session.DisposeAsync();
        _http.Dispose();
        _gate.Dispose();
    }
}
