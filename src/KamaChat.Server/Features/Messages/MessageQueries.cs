using System.Data.Common;
using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace KamaChat.Server.Features.Messages;

/// <summary>Turns message rows into <see cref="MessageResponse"/>s with a fixed number of queries per page, whatever its size.</summary>
public static partial class MessageQueries
{
    public const int ReplyPreviewLength = 100;

    /// <summary>The messages with these ids, in the order given; ids that do not exist are skipped.</summary>
    public static async Task<List<MessageResponse>> LoadAsync(KamaDbContext db, AttachmentLinks links, IReadOnlyList<Snowflake> messageIds, Snowflake viewerId, CancellationToken cancellationToken)
    {
        if (messageIds.Count == 0)
            return [];
        var ids = messageIds.ToList();
        await using var connection = new PageConnection(db);
        // One connection for the rows and the parts, not one taken from the pool and given back per query.
        await connection.OpenAsync(cancellationToken);
        var rows = await db.Messages.AsNoTracking().Where(m => ids.Contains(m.Id)).Select(ToRow).ToListAsync(cancellationToken);
        var byId = (await CompleteAsync(db, links, connection, rows, viewerId, cancellationToken)).ToDictionary(m => m.Id);
        return messageIds.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }

    /// <summary>
    /// A page of a channel's history, newest first: the newest messages, or those just older than <paramref name="before"/>.
    /// The page is the most read thing, so its rows come from a command written by hand (<see cref="PageSql"/>), prepared
    /// like its parts, and are read column by column: through EF Core (a compiled query) the rows cost the node a fifth
    /// of a page's CPU in its command set-up, materializer and connection, and on SQLite it opened the context's own
    /// connection for statements that then ran on a prepared read connection.
    /// </summary>
    public static Task<List<MessageResponse>> LoadNewestAsync(KamaDbContext db, AttachmentLinks links, Snowflake channelId, Snowflake? before, int size, Snowflake viewerId, CancellationToken cancellationToken) =>
        before is null
            ? PageAsync(db, links, PageSql.Newest, PostgresPageSql.Newest, channelId, before, size, viewerId, cancellationToken)
            : PageAsync(db, links, PageSql.Before, PostgresPageSql.Before, channelId, before, size, viewerId, cancellationToken);

    /// <summary>The oldest messages newer than <paramref name="after"/>, oldest first.</summary>
    public static Task<List<MessageResponse>> LoadAfterAsync(KamaDbContext db, AttachmentLinks links, Snowflake channelId, Snowflake after, int size, Snowflake viewerId, CancellationToken cancellationToken) =>
        PageAsync(db, links, PageSql.After, PostgresPageSql.After, channelId, after, size, viewerId, cancellationToken);

    /// <summary>A message's own row, with its author and the user a system line is about.</summary>
    private sealed record Row(
        Snowflake Id, Snowflake ChannelId, Snowflake AuthorId, string? UserName, string? DisplayName, string? AvatarUrl, string Content, string? Nonce,
        Snowflake? ReplyToId, bool MentionsEveryone, DateTimeOffset CreatedAt, DateTimeOffset? EditedAt, DateTimeOffset? PinnedAt, long Sequence,
        MessageKind Kind, Snowflake? TargetUserId, string? TargetUserName, string? TargetDisplayName, string? TargetAvatarUrl, string? Embeds, bool EmbedsSuppressed);

    private static readonly Expression<Func<Message, Row>> ToRow = m => new Row(
        m.Id, m.ChannelId, m.AuthorId, m.Author.UserName, m.Author.DisplayName, m.Author.AvatarUrl, m.Content, m.Nonce,
        m.ReplyToId, m.MentionsEveryone, m.CreatedAt, m.EditedAt, m.PinnedAt, m.Sequence,
        m.Kind, m.TargetUserId, m.TargetUser!.UserName, m.TargetUser.DisplayName, m.TargetUser.AvatarUrl, m.Embeds, m.EmbedsSuppressed);

    /// <summary>
    /// The page's row statements: <see cref="ToRow"/>'s columns, in its order, as EF Core wrote them (the author joined,
    /// the target left-joined), by the channel's <c>(ChannelId, Id)</c> index. Tagged, so they run prepared.
    /// </summary>
    private static class PageSql
    {
        private const string Rows = $"""
            -- {PreparedStatements.Tag}
            SELECT m."Id", m."ChannelId", m."AuthorId", a."UserName", a."DisplayName", a."AvatarUrl", m."Content", m."Nonce", m."ReplyToId",
              m."MentionsEveryone", m."CreatedAt", m."EditedAt", m."PinnedAt", m."Sequence", m."Kind", m."TargetUserId", t."UserName", t."DisplayName", t."AvatarUrl",
              m."Embeds", m."EmbedsSuppressed"
            FROM messages AS m
            INNER JOIN users AS a ON m."AuthorId" = a."Id"
            LEFT JOIN users AS t ON m."TargetUserId" = t."Id"
            WHERE m."ChannelId" = @channel
            """;

        public const string Newest = Rows + """

            ORDER BY m."Id" DESC
            LIMIT @size
            """;

        public const string Before = Rows + """
             AND m."Id" < @cursor
            ORDER BY m."Id" DESC
            LIMIT @size
            """;

        public const string After = Rows + """
             AND m."Id" > @cursor
            ORDER BY m."Id"
            LIMIT @size
            """;
    }

    /// <summary>SQLite's column for a <see cref="DateTimeOffset"/>: the integer EF Core's converter writes (<see cref="SqliteKamaDbContext"/>).</summary>
    private static readonly Func<long, DateTimeOffset> FromSqliteTime = new DateTimeOffsetToBinaryConverter().ConvertFromProviderExpression.Compile();

    /// <summary>A page by <paramref name="sql"/> and then its parts, or on PostgreSQL rows and parts at once by <paramref name="postgresSql"/>'s text for its size.</summary>
    private static async Task<List<MessageResponse>> PageAsync(
        KamaDbContext db, AttachmentLinks links, string sql, Func<int, string> postgresSql, Snowflake channelId, Snowflake? cursor, int size, Snowflake viewerId,
        CancellationToken cancellationToken)
    {
        await using var connection = new PageConnection(db);
        var postgres = db is PostgresKamaDbContext;
        var rows = new List<Row>(size);
        var parts = new PageParts();
        await using (var command = RawCommands.Create(db, 1, connection.Interceptors))
        {
            command.CommandText = postgres ? postgresSql(size) : sql;
            if (postgres)
            {
                // $1, $2 and $3 of PostgresPageSql, in order.
                command.AddParameter("", channelId.Value);
                command.AddParameter("", viewerId.Value);
                if (cursor is { } c)
                    command.AddParameter("", c.Value);
            }
            else
            {
                command.AddParameter("channel", channelId.Value);
                if (cursor is { } c)
                    command.AddParameter("cursor", c.Value);
                command.AddParameter("size", size);
            }
            await using var reader = await connection.ExecuteReaderAsync(command, cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = ReadRow(reader, sqlite: !postgres);
                rows.Add(row);
                if (postgres)
                    ReadPostgresParts(reader, row, parts);
            }
        }
        return postgres ? Build(links, rows, parts) : await CompleteAsync(db, links, connection, rows, viewerId, cancellationToken);
    }

    /// <summary>One row of <see cref="PageSql"/>, as EF Core would have materialized <see cref="ToRow"/>.</summary>
    private static Row ReadRow(DbDataReader reader, bool sqlite)
    {
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        Snowflake? Id(int i) => reader.IsDBNull(i) ? null : new Snowflake(reader.GetInt64(i));
        DateTimeOffset Time(int i) => sqlite ? FromSqliteTime(reader.GetInt64(i)) : reader.GetFieldValue<DateTimeOffset>(i);
        DateTimeOffset? OptionalTime(int i) => reader.IsDBNull(i) ? null : Time(i);
        // A system line's target is the only user the left join can miss; most messages have none, so its columns are not read.
        var target = Id(15);
        // The previews follow the row's columns, and on PostgreSQL also its parts (ReadPostgresParts).
        var embeds = sqlite ? 19 : 25;
        return new Row(
            new Snowflake(reader.GetInt64(0)), new Snowflake(reader.GetInt64(1)), new Snowflake(reader.GetInt64(2)), Text(3), Text(4), Text(5),
            reader.GetString(6), Text(7), Id(8), reader.GetBoolean(9), Time(10), OptionalTime(11), OptionalTime(12), reader.GetInt64(13),
            (MessageKind)reader.GetInt32(14), target, target is null ? null : Text(16), target is null ? null : Text(17), target is null ? null : Text(18),
            Text(embeds), reader.GetBoolean(embeds + 1));
    }

    /// <summary>
    /// The context's connection for a page's commands, opened only when one needs it (on SQLite a prepared read
    /// connection usually runs both, and the context's is never opened) and then kept for the page's other command.
    /// </summary>
    private sealed class PageConnection(KamaDbContext db) : IAsyncDisposable
    {
        private bool _opened;

        /// <summary>The context's, found once for the page's commands.</summary>
        public CommandInterceptors Interceptors { get; } = CommandInterceptors.Of(db);

        public async Task OpenAsync(CancellationToken cancellationToken)
        {
            if (_opened)
                return;
            await db.Database.OpenConnectionAsync(cancellationToken);
            _opened = true;
        }

        public Task<DbDataReader> ExecuteReaderAsync(DbCommand command, CancellationToken cancellationToken) =>
            PreparedStatements.ExecuteReaderAsync(Interceptors, command, OpenAsync, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (_opened)
                await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<List<MessageResponse>> CompleteAsync(
        KamaDbContext db, AttachmentLinks links, PageConnection connection, List<Row> rows, Snowflake viewerId, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
            return [];
        var ids = rows.ConvertAll(r => r.Id);
        var replyIds = rows.Where(r => r.ReplyToId != null).Select(r => r.ReplyToId!.Value).Distinct().ToList();
        // Mentions are parsed from the content when it is sent or edited (MentionParser), so a page none of whose
        // messages holds "<@" has none: its statement is not sent (most pages).
        var mayMention = rows.Exists(r => r.Content.Contains(MentionParser.Opening, StringComparison.Ordinal));
        return Build(links, rows, await PartsAsync(db, connection, ids, mayMention, replyIds, viewerId, cancellationToken));
    }

    /// <summary>What a page shows besides its rows, by message id (replies by the id replied to).</summary>
    private sealed class PageParts
    {
        public Dictionary<Snowflake, Mentioned> Mentions { get; } = [];

        public Dictionary<Snowflake, List<ReactionSummary>> Reactions { get; } = [];

        public Dictionary<Snowflake, List<AttachmentRow>> Attachments { get; } = [];

        public Dictionary<Snowflake, (Snowflake AuthorId, string Content)> Replies { get; } = [];
    }

    private static List<MessageResponse> Build(AttachmentLinks links, List<Row> rows, PageParts parts)
    {
        var (mentions, reactions, attachments, replies) = (parts.Mentions, parts.Reactions, parts.Attachments, parts.Replies);
        return rows.ConvertAll(r => new MessageResponse(
            r.Id, r.ChannelId, UserSummary.Of(r.AuthorId, r.UserName, r.DisplayName, r.AvatarUrl),
            r.Content, r.Nonce, r.ReplyToId is { } reply ? ReplyPreviewOf(reply, replies) : null,
            mentions.TryGetValue(r.Id, out var mentioned) ? mentioned.Users : [],
            mentioned?.Roles ?? [],
            r.MentionsEveryone, r.CreatedAt, r.EditedAt, r.PinnedAt is not null,
            reactions.TryGetValue(r.Id, out var reacted) ? reacted : [],
            attachments.TryGetValue(r.Id, out var attached) ? attached.ConvertAll(links.Describe) : [],
            LinkPreviews.MessageEmbeds.Describe(r.Embeds, links),
            r.EmbedsSuppressed,
            r.Sequence,
            MessageKinds.Name(r.Kind),
            r.TargetUserId is { } target ? UserSummary.Of(target, r.TargetUserName, r.TargetDisplayName, r.TargetAvatarUrl) : null));
    }

    public static async Task<MessageResponse?> LoadOneAsync(KamaDbContext db, AttachmentLinks links, Snowflake messageId, Snowflake viewerId, CancellationToken cancellationToken) =>
        (await LoadAsync(db, links, [messageId], viewerId, cancellationToken)).SingleOrDefault();

    /// <summary>Previews of the messages replied to; a reply to a deleted message still says what it pointed at.</summary>
    public static async Task<Dictionary<Snowflake, ReplyPreview>> ReplyPreviewsAsync(KamaDbContext db, List<Snowflake> replyIds, CancellationToken cancellationToken)
    {
        var found = replyIds.Count == 0
            ? []
            : await db.Messages.AsNoTracking().Where(m => replyIds.Contains(m.Id))
                .Select(m => new { m.Id, m.AuthorId, m.Content })
                .ToDictionaryAsync(m => m.Id, m => (m.AuthorId, m.Content), cancellationToken);
        return replyIds.ToDictionary(id => id, id => ReplyPreviewOf(id, found));
    }

    private static ReplyPreview ReplyPreviewOf(Snowflake id, Dictionary<Snowflake, (Snowflake AuthorId, string Content)> found) =>
        found.TryGetValue(id, out var m) ? new ReplyPreview(id, m.AuthorId, Preview(m.Content), false) : new ReplyPreview(id, null, null, true);

    private sealed record Mentioned(List<Snowflake> Users, List<Snowflake> Roles);

    /// <summary>
    /// What a page shows besides its rows — mentions, reactions (counted, with the viewer's own), attachments and the
    /// messages replied to — in one command of up to four statements: one round trip and no LINQ to translate, where
    /// four EF Core queries were four of each. The page's ids go as one parameter (PostgreSQL an array, <c>= ANY(@page)</c>;
    /// SQLite a JSON array, <c>IN (SELECT value FROM json_each(@page))</c>), so the text is one of four for every page
    /// (with or without mentions, with or without replies) and is prepared once per connection
    /// (<see cref="PreparedStatements"/>, <see cref="SqlitePreparedStatements"/>).
    /// </summary>
    private static async Task<PageParts> PartsAsync(
        KamaDbContext db, PageConnection connection, List<Snowflake> ids, bool mayMention, List<Snowflake> replyIds, Snowflake viewerId, CancellationToken cancellationToken)
    {
        await using var command = RawCommands.Create(db, 2 + (mayMention ? 1 : 0) + (replyIds.Count > 0 ? 1 : 0), connection.Interceptors);
        var postgres = db is PostgresKamaDbContext;
        string In(string name, List<Snowflake> values)
        {
            if (!postgres)
            {
                command.AddParameter(name, $"[{string.Join(',', values.Select(v => v.Value.ToString(CultureInfo.InvariantCulture)))}]");
                return $"IN (SELECT value FROM json_each(@{name}))";
            }
            var array = new long[values.Count];
            for (var i = 0; i < array.Length; i++)
                array[i] = values[i].Value;
            command.AddParameter(name, array);
            return $"= ANY(@{name})";
        }
        var page = In("page", ids);
        const string viewer = "@viewer";
        command.AddParameter("viewer", viewerId.Value);
        var sql = new StringBuilder();
        if (mayMention)
            sql.Append($"""
                SELECT "MessageId", "TargetType", "TargetId" FROM message_mentions WHERE "MessageId" {page} ORDER BY "MessageId", "TargetType", "TargetId";

                """);
        sql.Append($"""
            SELECT "MessageId", "Emoji", COUNT(*), SUM(CASE WHEN "UserId" = {viewer} THEN 1 ELSE 0 END) FROM reactions WHERE "MessageId" {page} GROUP BY "MessageId", "Emoji";
            SELECT "MessageId", "Id", "FileName", "ContentType", "Size", "Width", "Height", "DurationMs", "Placeholder", "Waveform", "State", "ProcessingProgress", "StorageKey", "ThumbnailKey", "PreviewKey", "PlaybackKey"
              FROM attachments WHERE "MessageId" {page} ORDER BY "Id";
            """);
        if (replyIds.Count > 0)
            sql.Append($"""SELECT "Id", "AuthorId", "Content" FROM messages WHERE "Id" {In("replies", replyIds)};""");
        command.CommandText = sql.ToString();
        await using var reader = await connection.ExecuteReaderAsync(command, cancellationToken);

        var parts = new PageParts();
        var mentions = parts.Mentions;
        if (mayMention)
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var messageId = new Snowflake(reader.GetInt64(0));
                if (!mentions.TryGetValue(messageId, out var mentioned))
                    mentions[messageId] = mentioned = new Mentioned([], []);
                ((MentionTarget)reader.GetInt32(1) == MentionTarget.Role ? mentioned.Roles : mentioned.Users).Add(new Snowflake(reader.GetInt64(2)));
            }
            await reader.NextResultAsync(cancellationToken);
        }

        var reactions = parts.Reactions;
        while (await reader.ReadAsync(cancellationToken))
        {
            var messageId = new Snowflake(reader.GetInt64(0));
            if (!reactions.TryGetValue(messageId, out var summaries))
                reactions[messageId] = summaries = [];
            summaries.Add(new ReactionSummary(reader.GetString(1), (int)reader.GetInt64(2), reader.GetInt64(3) > 0));
        }
        foreach (var summaries in reactions.Values)
            SortByEmoji(summaries);

        await reader.NextResultAsync(cancellationToken);
        var attachments = parts.Attachments;
        while (await reader.ReadAsync(cancellationToken))
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            int? Number(int i) => reader.IsDBNull(i) ? null : reader.GetInt32(i);
            var row = new AttachmentRow(new Snowflake(reader.GetInt64(0)), new Snowflake(reader.GetInt64(1)), reader.GetString(2), reader.GetString(3),
                reader.GetInt64(4), Number(5), Number(6), Number(7), Text(8), Text(9), (AttachmentState)reader.GetInt32(10), reader.GetInt32(11),
                reader.GetString(12), Text(13), Text(14), Text(15));
            if (!attachments.TryGetValue(row.MessageId, out var rows))
                attachments[row.MessageId] = rows = [];
            rows.Add(row);
        }

        var replies = parts.Replies;
        if (replyIds.Count > 0)
        {
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                replies[new Snowflake(reader.GetInt64(0))] = (new Snowflake(reader.GetInt64(1)), reader.GetString(2));
        }
        return parts;
    }

    /// <summary>A message's reactions in the order every page shows them: by emoji, ordinal, whatever the database's collation would have made of ORDER BY.</summary>
    private static void SortByEmoji(List<ReactionSummary> summaries) => summaries.Sort(static (x, y) => string.CompareOrdinal(x.Emoji, y.Emoji));

    private static string Preview(string content)
    {
        if (content.Length <= ReplyPreviewLength)
            return content;
        var cut = ReplyPreviewLength - 1;
        // Never split a surrogate pair: half an emoji is not valid text.
        if (char.IsHighSurrogate(content[cut - 1]))
            cut--;
        return string.Concat(content.AsSpan(0, cut), "…");
    }
}
