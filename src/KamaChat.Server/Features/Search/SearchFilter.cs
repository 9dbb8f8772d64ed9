using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KamaChat.Server.Features.Search;

/// <summary>The filters of a search with names resolved to ids: what the SQL of every plan has in its WHERE clause.</summary>
internal sealed record SearchFilter(
    IReadOnlyCollection<Snowflake> ChannelIds,
    IReadOnlyCollection<Snowflake> AuthorIds,
    IReadOnlyCollection<Snowflake> MentionIds,
    SearchHas Has,
    bool? Pinned,
    Snowflake? BeforeId,
    Snowflake? AfterId)
{
    /// <summary>Filters that ordinary indexes answer quickly, so the planner can try driving the search from them.</summary>
    public bool IsNarrowing => AuthorIds.Count > 0 || MentionIds.Count > 0 || Pinned == true || BeforeId is not null || AfterId is not null;
}

/// <summary>
/// Builds one parameterized SQL statement for SQLite or PostgreSQL. Quoted identifiers read the same on both; id lists
/// are a bigint[] on PostgreSQL and a JSON array on SQLite. User text only ever travels as a parameter value.
/// </summary>
internal sealed class SearchSql(DbCommand command, bool postgres)
{
    private readonly List<string> _conditions = [];

    public bool Postgres => postgres;

    public string Parameter(object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@p" + command.Parameters.Count.ToString(CultureInfo.InvariantCulture);
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter.ParameterName;
    }

    public void Where(string condition) => _conditions.Add(condition);

    public string WhereClause => _conditions.Count == 0 ? "" : "WHERE " + string.Join("\n  AND ", _conditions);

    /// <summary>The conditions as one boolean expression (true when there are none), for a select list.</summary>
    public string Condition => _conditions.Count == 0 ? "true" : "(" + string.Join(" AND ", _conditions) + ")";

    /// <summary><paramref name="column"/> is one of <paramref name="ids"/>.</summary>
    public string In(string column, IReadOnlyCollection<Snowflake> ids) => postgres
        ? $"{column} = ANY({Parameter(ids.Select(id => id.Value).ToArray())})"
        : $"{column} IN (SELECT value FROM json_each({Parameter(JsonSerializer.Serialize(ids.Select(id => id.Value)))}))";

    /// <summary>
    /// The filters as conditions on the messages table aliased <c>m</c>. <c>has:link</c> is text (see
    /// <see cref="SearchText.Links"/>); <paramref name="indexedOnly"/> leaves out what ordinary indexes cannot answer.
    /// </summary>
    /// <param name="timeOrdered">
    /// The caller walks messages in id order and stops at LIMIT: on SQLite a unary + keeps the channel and author
    /// indexes out of it, which would otherwise collect every message of those channels and sort them.
    /// </param>
    public void AddFilter(SearchFilter filter, bool indexedOnly = false, bool timeOrdered = false)
    {
        var noIndex = timeOrdered && !postgres ? "+" : "";
        Where(In(noIndex + "m.\"ChannelId\"", filter.ChannelIds));
        if (filter.AuthorIds.Count > 0)
            Where(In(noIndex + "m.\"AuthorId\"", filter.AuthorIds));
        if (filter.MentionIds.Count > 0)
            // TargetType 0: a user.
            Where($"EXISTS (SELECT 1 FROM message_mentions mm WHERE mm.\"MessageId\" = m.\"Id\" AND mm.\"TargetType\" = 0 AND {In("mm.\"TargetId\"", filter.MentionIds)})");
        if (filter.Pinned is { } pinned)
            Where(pinned ? "m.\"PinnedAt\" IS NOT NULL" : "m.\"PinnedAt\" IS NULL");
        if (filter.BeforeId is { } before)
            Where($"m.\"Id\" < {Parameter(before.Value)}");
        if (filter.AfterId is { } after)
            Where($"m.\"Id\" > {Parameter(after.Value)}");
        if (indexedOnly)
            return;
        if (filter.Has.HasFlag(SearchHas.Attachment))
            Where(Attachment(""));
        if (filter.Has.HasFlag(SearchHas.Image))
            Where(Attachment("AND a.\"ContentType\" LIKE 'image/%'"));
        if (filter.Has.HasFlag(SearchHas.Video))
            Where(Attachment("AND a.\"ContentType\" LIKE 'video/%'"));
        if (filter.Has.HasFlag(SearchHas.File))
            Where(Attachment("AND a.\"ContentType\" NOT LIKE 'image/%' AND a.\"ContentType\" NOT LIKE 'video/%'"));
    }

    // Driven from the attachments table: messages with files are few, so its MessageId index finds them.
    private static string Attachment(string condition) =>
        $"m.\"Id\" IN (SELECT a.\"MessageId\" FROM attachments a WHERE a.\"MessageId\" IS NOT NULL {condition})";

    /// <summary>A LIKE pattern that finds <paramref name="text"/> anywhere; <c>\</c> escapes the pattern characters.</summary>
    public static string ContainsPattern(string text)
    {
        var pattern = new StringBuilder(text.Length + 8).Append('%');
        foreach (var c in text)
        {
            if (c is '%' or '_' or '\\')
                pattern.Append('\\');
            pattern.Append(c);
        }
        return pattern.Append('%').ToString();
    }
}
