using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;

namespace KamaChat.Server.Features.Messages;

/// <summary>PostgreSQL's history page: rows and parts in one statement (<see cref="PostgresPageSql"/>) and how they are read.</summary>
public static partial class MessageQueries
{
    /// <summary>
    /// PostgreSQL's page in one statement and one round trip, where the rows and then their parts were two: each round
    /// trip leaves the request waiting for PostgreSQL's backend and then for a worker of the node, and on a machine whose
    /// cores the node and the database share, that waiting was most of a page's time. The rows (<see cref="PageSql"/>'s,
    /// with the message replied to) are materialized once; each part is looked up by the page's ids as one array
    /// (<c>= ANY(ARRAY(SELECT … FROM page))</c>, one index scan, as <see cref="PartsAsync"/>'s parameter did) rather than by
    /// a subquery per row (fifty index scans a part); reactions and attachments come back as JSON beside
    /// their message, NULL for the many that have none. One statement also reads rows and parts in one snapshot.
    /// Mentions are looked up only for messages whose content holds "&lt;@" (see <see cref="CompleteAsync"/>).
    /// The page's size is in the text, not a parameter: with <c>LIMIT $1</c> PostgreSQL costs the prepared statement's
    /// generic plan as if it read a tenth of the channel, so it planned this statement anew on every execution (the
    /// bench's page cost PostgreSQL ~0.8 ms more than with a generic plan); with the size written in, the generic plan is
    /// as cheap as a custom one and is kept. At most one text per direction and size (1–100), prepared as used.
    /// Its parameters are positional ($1 the channel, $2 the viewer, $3 the cursor), given without names: Npgsql then
    /// sends the text as it is, where with named ones (<c>@channel</c>) it parsed the whole statement on every page to
    /// rewrite them (1.0–1.4% of the node's CPU samples under the bench).
    /// A cursor's page names the channel's key range, <c>(ChannelId, Id)</c> from the channel's first id (ids are positive) to the cursor,
    /// rather than <c>ChannelId = $1 AND Id &lt; $3</c>: the generic plan of that form, kept after five pages, scanned the
    /// primary key backwards from the cursor and filtered by channel wherever the statistics held few channels (a small
    /// server, the bench's database), so a quiet channel's oldest page read every newer message of the busy one (20,000
    /// rows for one message at 20,000). A range of the channel's index is served by that index alone, whatever the
    /// statistics say; the order is the index's, both columns.
    /// </summary>
    private static class PostgresPageSql
    {
        private static readonly string[] NewestBySize = new string[MessageEndpoints.MaxPageSize + 1];
        private static readonly string[] BeforeBySize = new string[MessageEndpoints.MaxPageSize + 1];
        private static readonly string[] AfterBySize = new string[MessageEndpoints.MaxPageSize + 1];

        public static string Newest(int size) => NewestBySize[size] ??= Page("""m."ChannelId" = $1""", " DESC", size);

        public static string Before(int size) => BeforeBySize[size] ??= Page("""(m."ChannelId", m."Id") > ($1, 0) AND (m."ChannelId", m."Id") < ($1, $3)""", " DESC", size);

        public static string After(int size) => AfterBySize[size] ??= Page("""(m."ChannelId", m."Id") > ($1, $3) AND (m."ChannelId", m."Id") <= ($1, 9223372036854775807)""", "", size);

        private static string Page(string condition, string order, int size) => $"""
            -- {PreparedStatements.Tag}
            WITH page AS MATERIALIZED (
              SELECT m."Id", m."ChannelId", m."AuthorId", a."UserName", a."DisplayName", a."AvatarUrl", m."Content", m."Nonce", m."ReplyToId",
                m."MentionsEveryone", m."CreatedAt", m."EditedAt", m."PinnedAt", m."Sequence", m."Kind", m."TargetUserId",
                t."UserName" AS "TargetUserName", t."DisplayName" AS "TargetDisplayName", t."AvatarUrl" AS "TargetAvatarUrl",
                m."Embeds", m."EmbedsSuppressed"
              FROM messages AS m
              INNER JOIN users AS a ON m."AuthorId" = a."Id"
              LEFT JOIN users AS t ON m."TargetUserId" = t."Id"
              WHERE {condition}
              ORDER BY m."ChannelId"{order}, m."Id"{order}
              LIMIT {size.ToString(CultureInfo.InvariantCulture)}),
            replied AS (
              SELECT "Id", "AuthorId", "Content" FROM messages WHERE "Id" = ANY(ARRAY(SELECT "ReplyToId" FROM page WHERE "ReplyToId" IS NOT NULL))),
            mentioned AS (
              SELECT "MessageId",
                array_agg("TargetId" ORDER BY "TargetId") FILTER (WHERE "TargetType" = {(int)MentionTarget.User}) AS users,
                array_agg("TargetId" ORDER BY "TargetId") FILTER (WHERE "TargetType" = {(int)MentionTarget.Role}) AS roles
              FROM message_mentions WHERE "MessageId" = ANY(ARRAY(SELECT "Id" FROM page WHERE strpos("Content", '{MentionParser.Opening}') > 0))
              GROUP BY "MessageId"),
            reacted AS (
              SELECT "MessageId", json_agg(json_build_array("Emoji", n, mine)) AS list FROM (
                SELECT "MessageId", "Emoji", COUNT(*) AS n, bool_or("UserId" = $2) AS mine
                FROM reactions WHERE "MessageId" = ANY(ARRAY(SELECT "Id" FROM page)) GROUP BY "MessageId", "Emoji") AS x
              GROUP BY "MessageId"),
            attached AS (
              SELECT "MessageId", json_agg(json_build_array("Id", "FileName", "ContentType", "Size", "Width", "Height", "DurationMs", "Placeholder",
                "Waveform", "State", "ProcessingProgress", "StorageKey", "ThumbnailKey", "PreviewKey", "PlaybackKey") ORDER BY "Id") AS list
              FROM attachments WHERE "MessageId" = ANY(ARRAY(SELECT "Id" FROM page)) GROUP BY "MessageId")
            SELECT p."Id", p."ChannelId", p."AuthorId", p."UserName", p."DisplayName", p."AvatarUrl", p."Content", p."Nonce", p."ReplyToId",
              p."MentionsEveryone", p."CreatedAt", p."EditedAt", p."PinnedAt", p."Sequence", p."Kind", p."TargetUserId",
              p."TargetUserName", p."TargetDisplayName", p."TargetAvatarUrl",
              r."AuthorId", r."Content", mentioned.users, mentioned.roles, reacted.list, attached.list, p."Embeds", p."EmbedsSuppressed"
            FROM page AS p
            LEFT JOIN replied AS r ON r."Id" = p."ReplyToId"
            LEFT JOIN mentioned ON mentioned."MessageId" = p."Id"
            LEFT JOIN reacted ON reacted."MessageId" = p."Id"
            LEFT JOIN attached ON attached."MessageId" = p."Id"
            ORDER BY p."Id"{order}
            """;
    }

    /// <summary>The parts <see cref="PostgresPageSql"/> reads beside a row (from its 20th column), added to <paramref name="parts"/>.</summary>
    private static void ReadPostgresParts(DbDataReader reader, Row row, PageParts parts)
    {
        if (row.ReplyToId is { } reply && !reader.IsDBNull(19))
            parts.Replies[reply] = (new Snowflake(reader.GetInt64(19)), reader.GetString(20));
        if (!reader.IsDBNull(21) || !reader.IsDBNull(22))
        {
            List<Snowflake> Targets(int i) => reader.IsDBNull(i) ? [] : [.. reader.GetFieldValue<long[]>(i).Select(id => new Snowflake(id))];
            parts.Mentions[row.Id] = new Mentioned(Targets(21), Targets(22));
        }
        if (!reader.IsDBNull(23))
        {
            using var reactions = JsonDocument.Parse(reader.GetString(23));
            var summaries = reactions.RootElement.EnumerateArray().Select(r => new ReactionSummary(r[0].GetString()!, r[1].GetInt32(), r[2].GetBoolean())).ToList();
            SortByEmoji(summaries);
            parts.Reactions[row.Id] = summaries;
        }
        if (!reader.IsDBNull(24))
        {
            using var attachments = JsonDocument.Parse(reader.GetString(24));
            static string? Text(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetString();
            static int? Number(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetInt32();
            parts.Attachments[row.Id] = attachments.RootElement.EnumerateArray().Select(a => new AttachmentRow(row.Id, new Snowflake(a[0].GetInt64()),
                a[1].GetString()!, a[2].GetString()!, a[3].GetInt64(), Number(a[4]), Number(a[5]), Number(a[6]), Text(a[7]), Text(a[8]),
                (AttachmentState)a[9].GetInt32(), a[10].GetInt32(), a[11].GetString()!, Text(a[12]), Text(a[13]), Text(a[14]))).ToList();
        }
    }
}
