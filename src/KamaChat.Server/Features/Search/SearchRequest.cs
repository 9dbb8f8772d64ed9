using System.Globalization;

namespace KamaChat.Server.Features.Search;

/// <summary>
/// A checked search request: the <c>q</c> syntax and the structured parameters combined into one <see cref="SearchQuery"/>.
/// Structured ids widen what <c>q</c> names (<c>authorId</c> adds to <c>from:</c>), <c>has</c> narrows with <c>has:</c>, and
/// of two date bounds the tighter wins.
/// </summary>
public sealed record SearchRequest(SearchQuery Query, SearchSort Sort, int Offset, int Limit)
{
    public const int DefaultLimit = 25;

    /// <summary>Ids one repeatable parameter may list; more would make a query no person types.</summary>
    public const int MaxIdsPerParameter = 100;

    /// <summary>The request, or the per-field errors for a 400 <c>validation_failed</c>.</summary>
    public static SearchRequest? Read(SearchParameters parameters, out Dictionary<string, string[]> errors)
    {
        var problems = new Dictionary<string, List<string>>();
        void Fail(string field, string message) => (problems.TryGetValue(field, out var list) ? list : problems[field] = []).Add(message);

        var parsed = SearchQueryParser.Parse(parameters.Q);
        foreach (var error in parsed.Errors)
            Fail("q", error);
        var query = parsed.Query;

        var authorIds = Ids(parameters.AuthorId, "authorId", Fail);
        var channelIds = Ids(parameters.ChannelId, "channelId", Fail);
        var mentionIds = Ids(parameters.Mentions, "mentions", Fail);

        var has = query.Has;
        foreach (var value in parameters.Has ?? [])
        {
            if (SearchQueryParser.ParseHas(value) is { } kind)
                has |= kind;
            else
                Fail("has", "has takes link, attachment, image, video or file.");
        }

        var pinned = query.Pinned;
        if (parameters.Pinned is { } pinnedText)
        {
            if (!bool.TryParse(pinnedText, out var value))
                Fail("pinned", "pinned takes true or false.");
            else if (pinned is { } fromQ && fromQ != value)
                Fail("pinned", $"pinned={pinnedText} contradicts pinned:{fromQ.ToString().ToLowerInvariant()} in q.");
            else
                pinned = value;
        }

        // The tighter of q's bound and the parameter's wins.
        Snowflake? Tighter(Snowflake? fromQ, string? text, string field, bool after)
        {
            if (text is null)
                return fromQ;
            if (Bound(text, after) is not { } bound)
            {
                Fail(field, $"{field} takes a message id, a date like 2026-11-01, or a time like 2026-11-01T12:00:00Z.");
                return fromQ;
            }
            return fromQ is not { } q ? bound : after ? Snowflake.Max(q, bound) : Snowflake.Min(q, bound);
        }
        var before = Tighter(query.BeforeId, parameters.Before, "before", after: false);
        var after = Tighter(query.AfterId, parameters.After, "after", after: true);

        var sort = parameters.Sort?.ToLowerInvariant() switch
        {
            null or "newest" => SearchSort.Newest,
            "oldest" => SearchSort.Oldest,
            "relevance" => SearchSort.Relevance,
            _ => (SearchSort?)null,
        };
        if (sort is null)
            Fail("sort", "sort takes relevance, newest or oldest.");
        var offset = Number(parameters.Offset, "offset", 0, 0, MessageSearch.MaxOffset, Fail);
        var limit = Number(parameters.Limit, "limit", DefaultLimit, 1, MessageSearch.MaxLimit, Fail);

        query = query with
        {
            AuthorIds = authorIds,
            ChannelIds = channelIds,
            MentionIds = mentionIds,
            Has = has,
            Pinned = pinned,
            BeforeId = before,
            AfterId = after,
        };
        if (problems.Count == 0 && query.IsEmpty)
            Fail("q", "Type something to search for, or use a filter (from:, in:, has:, mentions:, before:, after:, pinned:).");

        errors = problems.ToDictionary(p => p.Key, p => p.Value.ToArray());
        return errors.Count == 0 ? new SearchRequest(query, sort!.Value, offset, limit) : null;
    }

    private static List<Snowflake> Ids(string[]? values, string field, Action<string, string> fail)
    {
        var ids = new List<Snowflake>();
        if (values is null)
            return ids;
        if (values.Length > MaxIdsPerParameter)
        {
            fail(field, $"Give at most {MaxIdsPerParameter} values of {field}.");
            return ids;
        }
        foreach (var value in values)
        {
            if (Snowflake.TryParse(value, out var id))
                ids.Add(id);
            else
                fail(field, $"{field} takes ids: decimal strings of up to 19 digits.");
        }
        return ids.Distinct().ToList();
    }

    private static int Number(string? text, string field, int fallback, int minimum, int maximum, Action<string, string> fail)
    {
        if (text is null)
            return fallback;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum && value <= maximum)
            return value;
        fail(field, $"{field} must be a whole number from {minimum} to {maximum}.");
        return fallback;
    }

    /// <summary>
    /// <c>before</c>/<c>after</c>: a message id (exclusive), a UTC day (before it starts, after it ends, as <c>before:</c> and
    /// <c>after:</c> in q), or an ISO 8601 time (before that millisecond, after it).
    /// </summary>
    private static Snowflake? Bound(string text, bool after)
    {
        if (Snowflake.TryParse(text, out var id))
            return id;
        if (SearchQueryParser.ParseDay(text) is { } day)
            return after ? SearchQueryParser.LastIdOfDay(day) : SnowflakeGenerator.MinimumIdAt(day);
        if (text.Contains('T', StringComparison.Ordinal) && text.Length <= 40 &&
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) && time.Year < 9999)
            return after ? new Snowflake(SnowflakeGenerator.MinimumIdAt(time.AddMilliseconds(1)).Value - 1) : SnowflakeGenerator.MinimumIdAt(time);
        return null;
    }
}
