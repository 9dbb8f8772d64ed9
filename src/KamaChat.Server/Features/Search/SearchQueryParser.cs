using System.Globalization;
using System.Text;
using KamaChat.Server.Infrastructure.Ids;

namespace KamaChat.Server.Features.Search;

/// <summary>
/// Parses the search box syntax: words, <c>"exact phrases"</c>, <c>-excluded</c> words or phrases and the filters
/// <c>from: in: has: mentions: before: after: during: pinned:</c>. Every character is data: quotes, <c>*</c>, <c>AND</c>,
/// <c>NEAR</c>, parentheses and backslashes are just text to find, an unknown <c>key:</c> is a word, and characters that
/// cannot be in a message (NUL, other control characters, lone surrogates) separate words. It never throws.
/// </summary>
public static class SearchQueryParser
{
    private static readonly string[] DateFormats = ["yyyy-MM-dd"];

    public static SearchQueryParseResult Parse(string? input)
    {
        var errors = new List<string>();
        if (input is null)
            return new SearchQueryParseResult(new SearchQuery(), errors);
        if (input.Length > SearchQuery.MaxLength)
            return new SearchQueryParseResult(new SearchQuery(), [$"The query is longer than {SearchQuery.MaxLength} characters."]);

        var text = Sanitize(input);
        var include = new List<SearchText>();
        var exclude = new List<SearchText>();
        var from = new List<string>();
        var channels = new List<string>();
        var mentions = new List<string>();
        var has = SearchHas.None;
        bool? pinned = null;
        Snowflake? beforeId = null, afterId = null;

        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }
            var negated = text[i] == '-' && i + 1 < text.Length && !char.IsWhiteSpace(text[i + 1]);
            if (negated)
                i++;

            if (text[i] == '"')
            {
                var phrase = ReadQuoted(text, ref i).Trim();
                if (phrase.Length > 0)
                    (negated ? exclude : include).Add(new SearchText(phrase, IsPhrase: true));
                continue;
            }

            var start = i;
            string? quotedValue = null;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                // in:"two words": a filter's value may be quoted.
                if (text[i] == '"' && !negated && i > start && text[i - 1] == ':' && IsFilterKey(text[start..(i - 1)].ToLowerInvariant()))
                {
                    quotedValue = ReadQuoted(text, ref i).Trim();
                    break;
                }
                i++;
            }
            var token = text[start..i];
            var colon = token.IndexOf(':', StringComparison.Ordinal);
            var key = colon > 0 ? token[..colon].ToLowerInvariant() : "";
            if (negated || !IsFilterKey(key))
            {
                (negated ? exclude : include).Add(new SearchText(token, IsPhrase: false));
                continue;
            }

            var value = quotedValue ?? token[(colon + 1)..];
            if (value.Length == 0)
            {
                // "from:" with nothing after it is text, like any other word.
                include.Add(new SearchText(token.TrimEnd('"'), IsPhrase: false));
                continue;
            }

            switch (key)
            {
                case "from":
                    from.Add(value);
                    break;
                case "in":
                    channels.Add(value.TrimStart('#'));
                    break;
                case "mentions":
                    mentions.Add(value.TrimStart('@'));
                    break;
                case "has":
                    if (ParseHas(value) is { } kind)
                        has |= kind;
                    else
                        errors.Add($"has: takes link, attachment, image, video or file, not \"{value}\".");
                    break;
                case "pinned":
                    if (value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("yes", StringComparison.OrdinalIgnoreCase))
                        pinned = true;
                    else if (value.Equals("false", StringComparison.OrdinalIgnoreCase) || value.Equals("no", StringComparison.OrdinalIgnoreCase))
                        pinned = false;
                    else
                        errors.Add($"pinned: takes true or false, not \"{value}\".");
                    break;
                default:
                    if (ParseDay(value) is not { } day)
                    {
                        errors.Add($"{key}: takes a date like 2026-11-01, not \"{value}\".");
                        break;
                    }
                    // Days are UTC. before: ends where the day starts; after: starts where the next day starts.
                    if (key is "before" or "during")
                    {
                        var bound = SnowflakeGenerator.MinimumIdAt(key == "before" ? day : day.AddDays(1));
                        beforeId = beforeId is { } b ? Snowflake.Min(b, bound) : bound;
                    }
                    if (key is "after" or "during")
                    {
                        var bound = LastIdOfDay(key == "after" ? day : day.AddDays(-1));
                        afterId = afterId is { } a ? Snowflake.Max(a, bound) : bound;
                    }
                    break;
            }
        }

        // A word of nothing but combining marks folds to nothing, and nothing would match everything.
        include = include.Where(t => t.Folded.Length > 0).DistinctBy(t => (t.Folded, t.IsPhrase)).ToList();
        exclude = exclude.Where(t => t.Folded.Length > 0).DistinctBy(t => (t.Folded, t.IsPhrase)).ToList();
        if (include.Count + exclude.Count > SearchQuery.MaxTexts)
            errors.Add($"Use at most {SearchQuery.MaxTexts} words and phrases.");

        var query = new SearchQuery
        {
            Include = include,
            Exclude = exclude,
            FromUsernames = from.Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            InChannelNames = channels.Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            MentionsUsernames = mentions.Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            Has = has,
            Pinned = pinned,
            BeforeId = beforeId,
            AfterId = afterId,
        };
        return new SearchQueryParseResult(query, errors);
    }

    private static bool IsFilterKey(string key) =>
        key is "from" or "in" or "mentions" or "has" or "pinned" or "before" or "after" or "during";

    /// <summary>Reads a quoted run starting at the opening quote; an unclosed quote runs to the end.</summary>
    private static string ReadQuoted(string text, ref int i)
    {
        var start = i + 1;
        var end = text.IndexOf('"', start);
        if (end < 0)
            end = text.Length;
        i = Math.Min(end + 1, text.Length);
        return text[start..end];
    }

    internal static SearchHas? ParseHas(string value) => value.ToLowerInvariant() switch
    {
        "link" or "links" => SearchHas.Link,
        "attachment" or "attachments" => SearchHas.Attachment,
        "image" or "images" => SearchHas.Image,
        "video" or "videos" => SearchHas.Video,
        "file" or "files" => SearchHas.File,
        _ => null,
    };

    /// <summary>A day as UTC midnight; the first and last days of the calendar are refused (a neighbour day does not exist).</summary>
    internal static DateTimeOffset? ParseDay(string value) =>
        DateTime.TryParseExact(value, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day.Year is > 1 and < 9999
            ? new DateTimeOffset(day.Year, day.Month, day.Day, 0, 0, 0, TimeSpan.Zero)
            : null;

    /// <summary>The largest id that can have been issued on <paramref name="day"/> (UTC): "after that day" is above it.</summary>
    internal static Snowflake LastIdOfDay(DateTimeOffset day) => new(SnowflakeGenerator.MinimumIdAt(day.AddDays(1)).Value - 1);

    /// <summary>
    /// The input with characters no message can usefully contain (NUL and other controls, lone surrogates,
    /// noncharacters) turned into spaces, so they separate words instead of reaching a database as bytes it may refuse.
    /// </summary>
    internal static string Sanitize(string input)
    {
        var builder = new StringBuilder(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            var c = input[i];
            if (char.IsHighSurrogate(c) && i + 1 < input.Length && char.IsLowSurrogate(input[i + 1]))
            {
                builder.Append(c).Append(input[++i]);
                continue;
            }
            var usable = !char.IsSurrogate(c) && !char.IsControl(c) && c is not ('\uFFFE' or '\uFFFF');
            builder.Append(usable || c is '\t' or '\n' or '\r' ? c : ' ');
        }
        return builder.ToString();
    }
}
