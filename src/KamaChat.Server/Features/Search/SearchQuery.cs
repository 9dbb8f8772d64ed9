namespace KamaChat.Server.Features.Search;

/// <summary>
/// What a search asks for: text that must (or must not) appear, and filters. Built by <see cref="SearchQueryParser"/>
/// from the <c>q</c> syntax; the endpoint adds its structured parameters (ids) with <c>with { ... }</c>.
/// Repeated <c>from:</c>, <c>in:</c> and <c>mentions:</c> widen (any of them); repeated <c>has:</c> narrows (all of them).
/// </summary>
public sealed record SearchQuery
{
    /// <summary>The longest <c>q</c> accepted.</summary>
    public const int MaxLength = 1024;

    /// <summary>Words and phrases together, included and excluded; more is refused rather than made slow.</summary>
    public const int MaxTexts = 16;

    /// <summary>Words and phrases that must all appear (as substrings, folded for case and accents).</summary>
    public IReadOnlyList<SearchText> Include { get; init; } = [];

    /// <summary>Words and phrases that must not appear.</summary>
    public IReadOnlyList<SearchText> Exclude { get; init; } = [];

    /// <summary><c>from:username</c>, resolved to users by the service.</summary>
    public IReadOnlyList<string> FromUsernames { get; init; } = [];

    /// <summary><c>in:channel-name</c>, resolved among the channels the caller may read.</summary>
    public IReadOnlyList<string> InChannelNames { get; init; } = [];

    /// <summary><c>mentions:username</c>.</summary>
    public IReadOnlyList<string> MentionsUsernames { get; init; } = [];

    public IReadOnlyList<Snowflake> AuthorIds { get; init; } = [];

    public IReadOnlyList<Snowflake> ChannelIds { get; init; } = [];

    public IReadOnlyList<Snowflake> MentionIds { get; init; } = [];

    public SearchHas Has { get; init; }

    public bool? Pinned { get; init; }

    /// <summary>Only messages with a smaller id (older); dates become the smallest id of their first millisecond.</summary>
    public Snowflake? BeforeId { get; init; }

    /// <summary>Only messages with a larger id (newer).</summary>
    public Snowflake? AfterId { get; init; }

    public bool HasText => Include.Count > 0 || Exclude.Count > 0;

    public bool HasFilters =>
        FromUsernames.Count > 0 || InChannelNames.Count > 0 || MentionsUsernames.Count > 0 || AuthorIds.Count > 0 ||
        ChannelIds.Count > 0 || MentionIds.Count > 0 || Has != SearchHas.None || Pinned is not null || BeforeId is not null || AfterId is not null;

    /// <summary>Nothing to search for: the endpoint answers 400 rather than listing every message.</summary>
    public bool IsEmpty => Include.Count == 0 && !HasFilters;
}

/// <summary>A word (matched anywhere, also inside longer words) or an exact phrase.</summary>
public sealed record SearchText(string Text, bool IsPhrase)
{
    /// <summary>What <c>has:link</c> looks for: one of these must appear.</summary>
    public static readonly IReadOnlyList<SearchText> Links = [new("http://", false), new("https://", false)];

    /// <summary>The text as the indexes compare it: lower case, without accents (<see cref="FoldedText"/>).</summary>
    public string Folded { get; } = FoldedText.Fold(Text);

    /// <summary>Unicode characters (not UTF-16 units) of the folded text: a trigram index needs three of them.</summary>
    public int Length => Folded.EnumerateRunes().Count();
}

[Flags]
public enum SearchHas
{
    None = 0,
    Link = 1,
    Attachment = 2,
    Image = 4,
    Video = 8,
    /// <summary>An attachment that is neither an image nor a video.</summary>
    File = 16,
}

public enum SearchSort
{
    /// <summary>Best matches first (whole words over parts of words, more occurrences), newer ones breaking ties.</summary>
    Relevance = 0,
    Newest = 1,
    Oldest = 2,
}

/// <summary>The parsed query, or what was wrong with <c>q</c> (for a 400 <c>validation_failed</c>).</summary>
public sealed record SearchQueryParseResult(SearchQuery Query, IReadOnlyList<string> Errors)
{
    public bool IsValid => Errors.Count == 0;
}
