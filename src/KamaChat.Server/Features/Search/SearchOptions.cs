using System.ComponentModel.DataAnnotations;

namespace KamaChat.Server.Features.Search;

/// <summary>Search planner settings (<c>Search__FilterDrivenLimit</c>); the default suits both databases.</summary>
public sealed class SearchOptions
{
    /// <summary>
    /// When the filters leave at most this many messages (a small server, <c>from:</c> a quiet member, a day),
    /// they are read through ordinary indexes and their text checked in memory; above it the text index drives.
    /// 0 always uses the text index.
    /// </summary>
    [Range(0, 100_000)]
    public int FilterDrivenLimit { get; set; } = 2000;

    /// <summary>
    /// PostgreSQL: how often the search indexes' GIN pending lists are merged in the background
    /// (<see cref="PendingListMerger"/>), in milliseconds. 0 leaves the merging to the sends whose insert takes a list
    /// past its limit.
    /// </summary>
    [Range(0, 600_000)]
    public int PendingListMergeMilliseconds { get; set; } = 1000;

    /// <summary>
    /// SQLite: how often the messages sent since the last run are indexed for search in the background
    /// (<see cref="SqliteSearchIndexer"/>), in milliseconds; searches read the ones not indexed yet beside the index. 0
    /// indexes each message in its send's transaction.
    /// </summary>
    [Range(0, 600_000)]
    public int SqliteIndexMilliseconds { get; set; } = 1000;

    /// <summary>Tests only: pins the text plan (walk the messages or read the text index) instead of probing.</summary>
    internal SearchTextPlan TextPlan { get; init; }

    /// <summary>Tests only: PostgreSQL's trigram index is asked for every trigram of a long word or phrase, not the chosen ones.</summary>
    internal bool AllTrigrams { get; init; }
}

/// <summary>How an engine fills a page when the text drives: chosen by a probe, or pinned (tests compare the two).</summary>
internal enum SearchTextPlan
{
    Auto = 0,
    Walk = 1,
    Index = 2,
}
