using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Calls;

/// <summary>
/// Keeps DM calls honest across nodes: every sixth of the voice lease it renews this node's lease, takes out of their
/// calls the participants of nodes whose lease lapsed (a killed node), and ends the ringing of calls whose starting
/// node died before their ring timed out (<see cref="DmCalls.KeepAsync"/>). With one node there is nothing to keep.
/// </summary>
public sealed partial class DmCallKeeper(DmCalls calls, IDmCallStore store, IOptions<VoiceOptions> options, TimeProvider time, ILogger<DmCallKeeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store is LocalDmCallStore)
            return;
        var lease = options.Value.Lease;
        using var timer = new PeriodicTimer(lease / 6, time);
        do
        {
            try
            {
                await calls.KeepAsync(lease);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                // Redis is away: the next round tries again; the lease lapses only after a whole lease.
                LogFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Keeping the DM calls' leases failed")]
    private partial void LogFailed(Exception e);
}
