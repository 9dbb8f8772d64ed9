using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Janus;

/// <summary>Where this node's voice and video go: through Janus (external or local), or peer to peer.</summary>
public sealed class MediaServer
{
    private volatile JanusEndpoint? _janus;

    /// <summary>The Janus to use; null means calls run peer to peer (no JANUS_URL and no local Janus).</summary>
    public JanusEndpoint? Janus => _janus;

    /// <summary>Whether that Janus is the one this server started itself.</summary>
    public bool IsLocal { get; private set; }

    internal void Use(JanusEndpoint? janus, bool local)
    {
        IsLocal = local;
        _janus = janus;
    }
}

/// <summary>
/// Decides at start-up where media goes, says so in the log, and runs the local Janus when that is the choice:
/// JANUS_URL wins; otherwise a local Janus when the binary is installed (and KAMACHAT_LOCAL_JANUS is not off),
/// restarted if it dies; otherwise peer to peer.
/// </summary>
public sealed partial class MediaServerHost(MediaServer mediaServer, IOptions<JanusOptions> options, ILogger<MediaServerHost> logger) : IHostedService, IAsyncDisposable
{
    // Never disposed: StopAsync may run again from DisposeAsync after the host stopped the service.
    private readonly CancellationTokenSource _stopping = new();
    private LocalJanus? _local;
    private Task _supervisor = Task.CompletedTask;

    /// <summary>The local Janus while it runs (tests look at its process).</summary>
    public LocalJanus? Local => _local;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var janus = options.Value;
        if (janus.Url is { } url)
        {
            mediaServer.Use(new JanusEndpoint(url, janus.ApiSecret, janus.AdminKey), local: false);
            LogExternal(url);
            return;
        }
        var binary = janus.StartLocal ? LocalJanusConfig.FindBinary(janus.Binary) : null;
        var library = binary is null ? null : LocalJanusConfig.FindLibraryDirectory(binary);
        if (binary is null || library is null)
        {
            if (binary is not null)
                logger.LogWarning("Found {Binary} but not its VideoRoom plugin and HTTP transport next to it", binary);
            LogPeerToPeer(janus.StartLocal ? "no JANUS_URL and no janus binary" : "no JANUS_URL and KAMACHAT_LOCAL_JANUS=off");
            return;
        }
        try
        {
            _local = await LocalJanus.StartAsync(binary, library, janus, logger, cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or UnauthorizedAccessException)
        {
            logger.LogError(e, "The local Janus ({Binary}) did not start", binary);
            LogPeerToPeer("the local Janus did not start");
            return;
        }
        mediaServer.Use(_local.Config.Endpoint, local: true);
        LogLocal(_local.Config.ApiUrl, janus.RtpPortMin, janus.RtpPortMax);
        _supervisor = Task.Run(() => SuperviseAsync(binary, library, janus), CancellationToken.None);
    }

    /// <summary>Starts Janus again when it dies (rooms in it are gone; the next join makes them again).</summary>
    private async Task SuperviseAsync(string binary, string library, JanusOptions janus)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!_stopping.IsCancellationRequested)
        {
            await (_local?.Exited ?? Task.CompletedTask).WaitAsync(_stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (_stopping.IsCancellationRequested)
                return;
            logger.LogError("The local Janus exited; starting it again in {Delay}. Its last output: {Tail}", delay, _local?.Tail);
            mediaServer.Use(null, local: true);
            await Task.Delay(delay, _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (_stopping.IsCancellationRequested)
                return;
            try
            {
                if (_local is not null)
                    await _local.DisposeAsync();
                _local = await LocalJanus.StartAsync(binary, library, janus, logger, _stopping.Token);
                mediaServer.Use(_local.Config.Endpoint, local: true);
                delay = TimeSpan.FromSeconds(1);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or UnauthorizedAccessException)
            {
                logger.LogError(e, "The local Janus did not start again");
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _supervisor;
        if (_local is not null)
            await _local.DisposeAsync();
        _local = null;
    }

    // The host stops it first; disposing (once per registration, so possibly twice) only makes sure Janus is gone.
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    [LoggerMessage(Level = LogLevel.Information, Message = "Voice and video: through Janus at {Url} (JANUS_URL)")]
    private partial void LogExternal(Uri url);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Voice and video: through a local Janus this server runs (API {Url}; media on UDP ports {RtpMin}-{RtpMax})")]
    private partial void LogLocal(Uri url, int rtpMin, int rtpMax);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Voice and video: peer to peer ({Reason}); voice channels hold up to 4 people. Install Debian's janus package or set JANUS_URL for more")]
    private partial void LogPeerToPeer(string reason);
}

/// <summary>Janus answering or not: reported in /readyz as degraded, since chat works without it.</summary>
internal sealed class JanusHealthCheck(MediaServer mediaServer) : IHealthCheck
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(3),
    };

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (mediaServer.Janus is not { } janus)
            return HealthCheckResult.Healthy("Calls run peer to peer.");
        try
        {
            using var response = await Http.GetAsync(new Uri(janus.ApiUrl.AbsoluteUri.TrimEnd('/') + "/info"), cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Degraded($"Janus answered {(int)response.StatusCode}.");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return HealthCheckResult.Degraded("Janus is not reachable: voice channels and group calls fail.", e);
        }
    }
}
