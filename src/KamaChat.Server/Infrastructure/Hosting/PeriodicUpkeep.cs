namespace KamaChat.Server.Infrastructure.Hosting;

/// <summary>
/// Background upkeep on a timer (a checkpoint, a merge): one run a tick until the node stops. A run that fails is tried
/// again on the next tick; a failure that repeats (a lost disk, a database that is down) warns once, then once every
/// <see cref="FailuresPerWarning"/> failures in a row, so a warning a tick does not bury the log; and says when it works again.
/// </summary>
internal static class PeriodicUpkeep
{
    /// <summary>A failing run warns once, then once every this many failures in a row (a minute at one a second).</summary>
    public const int FailuresPerWarning = 60;

    /// <param name="what">What the run does, for the log: "Checkpointing the SQLite log".</param>
    public static async Task RunAsync(TimeSpan interval, Func<CancellationToken, Task> run, string what, ILogger logger, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        var failuresInARow = 0;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await run(stoppingToken);
                if (failuresInARow > 0)
                    logger.LogInformation("{Upkeep} works again after {Failures} failed attempts", what, failuresInARow);
                failuresInARow = 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (failuresInARow++ % FailuresPerWarning == 0)
                    logger.LogWarning(e, "{Upkeep} failed ({Failures} attempts in a row); retrying every {Interval}", what, failuresInARow, interval);
                else
                    logger.LogDebug(e, "{Upkeep} failed again ({Failures} attempts in a row)", what, failuresInARow);
            }
        }
    }
}
