namespace KamaChat.Server.Features.Search;

/// <summary>A sample of the history that tells a search how common each trigram is.</summary>
internal interface ITrigramSample
{
    /// <summary>Whether the sample holds as many messages as it takes: a smaller one (a small or new database) is reloaded sooner.</summary>
    bool IsFull { get; }
}

/// <summary>How long a trigram sample lives, and how long a failed load holds back the next.</summary>
internal static class TrigramSampleCache
{
    /// <summary>A full sample is reloaded this often.</summary>
    internal static readonly TimeSpan SampleLifetime = TimeSpan.FromMinutes(10);

    /// <summary>A sample of fewer rows (a small or new database) is reloaded this often, so it follows the history as it grows.</summary>
    internal static readonly TimeSpan SmallSampleLifetime = TimeSpan.FromSeconds(5);

    /// <summary>After a failed load the next waits this long: a database that is down is not asked again by every search.</summary>
    internal static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The node's trigram sample (<see cref="PostgresTrigramSample"/> or <see cref="SqliteTrigramSample"/>), served to every
/// search at once and reloaded in the background when old. A load reads thousands of rows and cuts them into trigrams:
/// done by the search that found the sample old, every search arriving meanwhile did it too, and each waited for its
/// own. Here one load runs at a time, with its own context, and the searches keep the old sample until the new one is
/// in; only the first searches of a node (no sample yet) wait, all for the same load. A load that fails is logged and
/// tried again by a later search; the old sample stays.
/// </summary>
internal sealed class TrigramSampleCache<TSample> where TSample : class, ITrigramSample
{
    private readonly Func<CancellationToken, Task<TSample>> _load;
    private readonly CancellationToken _stopping;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();

    /// <summary>The sample and when its load started; replaced whole, so a search reads both without the lock.</summary>
    private volatile Loaded? _current;

    /// <summary>The load under way (at most one), or null.</summary>
    private Task<TSample?>? _loading;

    private DateTimeOffset _retryAfter = DateTimeOffset.MinValue;

    private int _loads;

    private sealed record Loaded(TSample Sample, DateTimeOffset At);

    public TrigramSampleCache(Func<CancellationToken, Task<TSample>> load, TimeProvider time, ILogger logger, CancellationToken stopping) =>
        (_load, _time, _logger, _stopping) = (load, time, logger, stopping);

    /// <summary>How many loads have started (tests: concurrent searches on an old sample start one).</summary>
    internal int Loads => Volatile.Read(ref _loads);

    /// <summary>The load under way, or a completed task (tests await the reload a search started).</summary>
    internal Task Loading
    {
        get
        {
            lock (_gate)
                return _loading ?? Task.CompletedTask;
        }
    }

    /// <summary>
    /// The sample, at once when there is one (old or not: an old one starts a reload behind it); the very first waits for
    /// the first load. Null when there is none to give (the first load failed, or the node is stopping): the search then
    /// asks the index for every trigram, which finds the same messages.
    /// </summary>
    internal async ValueTask<TSample?> GetAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        if (current is not null && !IsOld(current))
            return current.Sample;
        Task<TSample?>? first;
        lock (_gate)
        {
            current = _current;
            if (current is not null && !IsOld(current))
                return current.Sample;
            var loading = _loading ?? Start();
            if (current is not null)
                return current.Sample;
            first = loading;
        }
        // A search that gives up stops waiting, not the load the others wait for.
        return first is null ? null : await first.WaitAsync(cancellationToken);
    }

    private bool IsOld(Loaded loaded) =>
        _time.GetUtcNow() - loaded.At >= (loaded.Sample.IsFull ? TrigramSampleCache.SampleLifetime : TrigramSampleCache.SmallSampleLifetime);

    /// <summary>Starts the one load (under the lock), or nothing when the node is stopping or a failed load is too recent.</summary>
    private Task<TSample?>? Start()
    {
        if (_stopping.IsCancellationRequested || _time.GetUtcNow() < _retryAfter)
            return null;
        _loads++;
        // On the thread pool: the caller holds the lock, and a search does not pay for cutting 5,000 rows into trigrams.
        return _loading = Task.Run(LoadAsync, CancellationToken.None);
    }

    /// <summary>Never faults: what goes wrong is logged, and the searches keep what they had.</summary>
    private async Task<TSample?> LoadAsync()
    {
        var startedAt = _time.GetUtcNow();
        try
        {
            var sample = await _load(_stopping);
            _current = new Loaded(sample, startedAt);
            return sample;
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
            // Cancelled, or the node's services already gone: nothing to tell.
            return _current?.Sample;
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "The search's trigram sample could not be loaded; searches keep the one they have and a later search tries again");
            lock (_gate)
                _retryAfter = _time.GetUtcNow() + TrigramSampleCache.RetryDelay;
            return _current?.Sample;
        }
        finally
        {
            lock (_gate)
                _loading = null;
        }
    }
}
