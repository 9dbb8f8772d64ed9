namespace KamaChat.Server.Features.Calls;

/// <summary>
/// Keeps this node's voice calls honest while it lives: every sixth of the lease it ends calls whose client went
/// silent, renews its leases, and ends calls of nodes that stopped renewing theirs (<see cref="VoiceChannels.KeepLeasesAsync"/>).
/// It also takes the commands other nodes send about calls held here.
/// </summary>
public sealed partial class VoiceLeaseKeeper(VoiceChannels voice, IVoiceStates states, Microsoft.Extensions.Options.IOptions<VoiceOptions> options,
    TimeProvider time, ILogger<VoiceLeaseKeeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await states.ListenAsync(voice.HandleAsync);
        using var timer = new PeriodicTimer(options.Value.Lease / 6, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await voice.KeepLeasesAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                // Redis or Janus is away: the next round tries again; leases lapse only after a whole lease.
                LogFailed(e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Keeping the voice leases failed")]
    private partial void LogFailed(Exception e);
}
