namespace KamaChat.Server.Infrastructure.Janus;

/// <summary>
/// This node's session on the media server's Janus: made on first use, made again when Janus forgot it (a Janus
/// restart, or this node unreachable for longer than Janus's session_timeout). Every room this node administers
/// and every participant it signals for lives in this one session, so they all end with it.
/// </summary>
public sealed class JanusConnection(MediaServer mediaServer, ILogger<JanusConnection> logger) : IAsyncDisposable
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
            var endpoint = mediaServer.Janus ?? throw new InvalidOperationException("This server has no Janus: calls run peer to peer.");
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
