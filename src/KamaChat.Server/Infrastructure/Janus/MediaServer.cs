using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Janus;

/// <summary>
/// Where this node's voice and video go: through Janus (one local instance, or the external instances JANUS_URL
/// lists, each room on one of them), or peer to peer.
/// </summary>
public sealed class MediaServer
{
    private sealed record Current(IReadOnlyList<JanusEndpoint> Instances, IReadOnlyList<Uri> Urls);

    private volatile Current _current = new([], []);

    /// <summary>The Janus instances to use; empty means calls run peer to peer (no JANUS_URL and no local Janus).</summary>
    public IReadOnlyList<JanusEndpoint> Instances => _current.Instances;

    /// <summary>The (first) Janus; null means calls run peer to peer.</summary>
    public JanusEndpoint? Janus => _current.Instances is [var first, ..] ? first : null;

    /// <summary>Whether that Janus is the one this server started itself.</summary>
    public bool IsLocal { get; private set; }

    /// <summary>The instance that carries this room (<see cref="JanusPlacement"/>), and its index; null when there is no Janus.</summary>
    public (int Index, JanusEndpoint Endpoint)? For(long roomId)
    {
        var current = _current;
        if (current.Instances.Count == 0)
            return null;
        var index = JanusPlacement.Pick(current.Urls, roomId);
        return (index, current.Instances[index]);
    }

    internal void Use(IReadOnlyList<JanusEndpoint> instances, bool local)
    {
        IsLocal = local;
        _current = new Current(instances, instances.Select(i => i.ApiUrl).ToList());
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
        if (janus.Urls.Count > 0)
        {
            mediaServer.Use(janus.Urls.Select(url => new JanusEndpoint(url, janus.ApiSecret, janus.AdminKey)).ToList(), local: false);
            LogExternal(string.Join(", ", janus.Urls), janus.Urls.Count);
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
        mediaServer.Use([_local.Config.Endpoint], local: true);
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
            mediaServer.Use([], local: true);
            await Task.Delay(delay, _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (_stopping.IsCancellationRequested)
                return;
            try
            {
                if (_local is not null)
                    await _local.DisposeAsync();
                _local = await LocalJanus.StartAsync(binary, library, janus, logger, _stopping.Token);
                mediaServer.Use([_local.Config.Endpoint], local: true);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Voice and video: through Janus at {Urls} (JANUS_URL; {Count} instance(s), each room on one)")]
    private partial void LogExternal(string urls, int count);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Voice and video: through a local Janus this server runs (API {Url}; media on UDP ports {RtpMin}-{RtpMax})")]
    private partial void LogLocal(Uri url, int rtpMin, int rtpMax);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Voice and video: peer to peer ({Reason}); voice channels hold up to 4 people. Install Debian's janus package or set JANUS_URL for more")]
    private partial void LogPeerToPeer(string reason);
}

/// <summary>Each Janus answering or not: reported in /readyz as degraded, naming those that do not, since chat works without them.</summary>
internal sealed class JanusHealthCheck(MediaServer mediaServer) : IHealthCheck
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(3),
    };

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var instances = mediaServer.Instances;
        if (instances.Count == 0)
            return HealthCheckResult.Healthy("Calls run peer to peer.");
        var problems = (await Task.WhenAll(instances.Select(i => ProblemAsync(i, cancellationToken)))).OfType<string>().ToList();
        return problems.Count == 0
            ? HealthCheckResult.Healthy(instances.Count == 1 ? null : $"All {instances.Count} Janus instances answer.")
            : HealthCheckResult.Degraded(string.Join(" ", problems) + " Voice channels and group calls placed there fail.");
    }

    private static async Task<string?> ProblemAsync(JanusEndpoint janus, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(janus.ApiUrl.AbsoluteUri.TrimEnd('/') + "/info"), cancellationToken);
            return response.IsSuccessStatusCode ? null : $"Janus at {janus.ApiUrl} answered {(int)response.StatusCode}.";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"Janus at {janus.ApiUrl} is not reachable.";
        }
    }
}
