using System.Collections.Concurrent;
using System.ComponentModel;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Caching;

/// <summary>
/// The node's cache over <see cref="HybridCache"/>: what every request re-reads (permission inputs, user summaries),
/// dropped by tag when this node applies an event that changes it (<see cref="CacheInvalidation"/>).
/// </summary>
/// <remarks>
/// Permission inputs live in this node's memory only (L1), never in Redis (L2). Each node drops them when it applies
/// the event, so the longest a node can act on a revoked permission is the time the event takes to reach it. An L2
/// cannot promise that: HybridCache learns of another node's tag invalidation from Redis only the first time it
/// meets a tag, and a node that loaded the old value just before the change can write it to Redis just after another
/// node dropped it; whether that entry is then refused rests on the nodes' clocks agreeing. Only user summaries (a
/// name shown a moment late, no access granted) go to L2.
/// </remarks>
public sealed class KamaCache(HybridCache cache, IOptions<CacheOptions> options, ILogger<KamaCache> logger)
{
    private readonly CacheOptions _options = options.Value;

    // Invalidations are numbered; each tag remembers the number of its last one. A value remembers the number current
    // when its load began, so a value loaded from before an invalidation of one of its tags is never handed out, even
    // to a caller that joined that load (HybridCache runs one load per key for concurrent callers) after the change.
    private long _invalidations;
    private readonly ConcurrentDictionary<string, long> _invalidatedAt = new(StringComparer.Ordinal);

    public bool Enabled => _options.Enabled;

    /// <summary>A value that decides access, from this node's memory or <paramref name="load"/>. A null answer is not kept.</summary>
    public async ValueTask<T?> GetLocalAsync<T>(string key, string[] tags, Func<CancellationToken, Task<T?>> load, CancellationToken cancellationToken)
        where T : class
    {
        if (!_options.Enabled)
            return await load(cancellationToken);
        var entry = await cache.GetOrCreateAsync(
            key,
            (Load: load, Cache: this),
            static async (state, token) =>
            {
                var loadedAfter = Interlocked.Read(ref state.Cache._invalidations);
                return new Stamped<T>(loadedAfter, await state.Load(token));
            },
            new HybridCacheEntryOptions
            {
                Expiration = _options.LocalLifetime,
                LocalCacheExpiration = _options.LocalLifetime,
                Flags = HybridCacheEntryFlags.DisableDistributedCache,
            },
            tags,
            cancellationToken);
        if (IsStale(entry, tags))
            return await load(cancellationToken);
        if (entry.Value is null)
            await cache.RemoveAsync(key, cancellationToken); // "not found" is not remembered: the thing may be created next
        return entry.Value;
    }

    /// <summary>A value only shown to people (names, pictures): in memory and, when configured, in Redis.</summary>
    public async ValueTask<T> GetSharedAsync<T>(string key, string[] tags, Func<CancellationToken, Task<T>> load, CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
            return await load(cancellationToken);
        return await cache.GetOrCreateAsync(
            key,
            load,
            static (load, token) => new ValueTask<T>(load(token)),
            new HybridCacheEntryOptions { Expiration = _options.SummaryLifetime, LocalCacheExpiration = _options.SummaryLifetime },
            tags,
            cancellationToken);
    }

    /// <summary>Drops every entry carrying one of <paramref name="tags"/>. Synchronous for this node's memory; Redis is told in the background.</summary>
    public void Invalidate(IReadOnlyCollection<string> tags)
    {
        if (tags.Count == 0)
            return;
        var number = Interlocked.Increment(ref _invalidations);
        foreach (var tag in tags)
            _invalidatedAt[tag] = number;
        foreach (var tag in tags)
        {
            // HybridCache records the tag's invalidation in memory before its first await (only the write to Redis is
            // asynchronous), so entries are gone for this node when this returns.
            var pending = cache.RemoveByTagAsync(tag);
            if (!pending.IsCompleted)
                _ = ObserveAsync(pending, tag);
        }
    }

    private async Task ObserveAsync(ValueTask pending, string tag)
    {
        try
        {
            await pending;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Only Redis missed it; every node still drops the entry when it applies the event.
            logger.LogWarning(e, "Telling Redis that cache tag {Tag} changed failed", tag);
        }
    }

    private bool IsStale<T>(Stamped<T> entry, string[] tags)
    {
        if (_invalidatedAt.TryGetValue(CacheTags.All, out var all) && all > entry.LoadedAfter)
            return true;
        foreach (var tag in tags)
            if (_invalidatedAt.TryGetValue(tag, out var at) && at > entry.LoadedAfter)
                return true;
        return false;
    }
}

/// <summary>A cached value with the invalidation number current when its load began.</summary>
[ImmutableObject(true)]
public sealed record Stamped<T>(long LoadedAfter, T? Value);
