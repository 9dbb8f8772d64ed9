using KamaChat.Server.Features.Messages;
using Microsoft.AspNetCore.Mvc;

namespace KamaChat.Server.Features.Search;

/// <summary>
/// The query string of both search endpoints. Every value arrives as text and is checked by <see cref="SearchRequest.Read"/>,
/// so a bad one is a 400 <c>validation_failed</c> naming its field rather than a binding failure; OpenAPI is told the real
/// types by <see cref="SearchEndpoints"/>.
/// </summary>
public sealed class SearchParameters
{
    /// <summary>The search box text: words, "phrases", -excluded, and filters (see the README).</summary>
    [FromQuery(Name = "q")]
    public string? Q { get; init; }

    [FromQuery(Name = "authorId")]
    public string[]? AuthorId { get; init; }

    [FromQuery(Name = "channelId")]
    public string[]? ChannelId { get; init; }

    [FromQuery(Name = "mentions")]
    public string[]? Mentions { get; init; }

    [FromQuery(Name = "has")]
    public string[]? Has { get; init; }

    [FromQuery(Name = "pinned")]
    public string? Pinned { get; init; }

    [FromQuery(Name = "before")]
    public string? Before { get; init; }

    [FromQuery(Name = "after")]
    public string? After { get; init; }

    [FromQuery(Name = "sort")]
    public string? Sort { get; init; }

    [FromQuery(Name = "offset")]
    public string? Offset { get; init; }

    [FromQuery(Name = "limit")]
    public string? Limit { get; init; }
}

/// <summary>
/// A page of search results. <see cref="TotalResults"/> stops counting at 1,000; <see cref="TotalIsCapped"/> then says
/// there are more ("1,000+").
/// </summary>
public sealed record MessageSearchResponse(int TotalResults, bool TotalIsCapped, IReadOnlyList<SearchHitResponse> Hits);

/// <summary>
/// One found message, where its content matched (UTF-16 offsets into <c>message.content</c>, not HTML), and the messages
/// just before and after it in its channel, for context (null at either end of the channel).
/// </summary>
public sealed record SearchHitResponse(MessageResponse Message, IReadOnlyList<HighlightRange> Highlights, MessageResponse? Previous, MessageResponse? Next);
