using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Messages;

/// <summary>Turns message rows into <see cref="MessageResponse"/>s with a fixed number of queries per page, whatever its size.</summary>
public static class MessageQueries
{
    public const int ReplyPreviewLength = 100;

    /// <summary>The messages with these ids, in the order given; ids that do not exist are skipped.</summary>
    public static async Task<List<MessageResponse>> LoadAsync(KamaDbContext db, AttachmentLinks links, IReadOnlyList<Snowflake> messageIds, Snowflake viewerId, CancellationToken cancellationToken)
    {
        if (messageIds.Count == 0)
            return [];
        var ids = messageIds.ToList();
        var byId = (await CompleteAsync(db, links, db.Messages.AsNoTracking().Where(m => ids.Contains(m.Id)).Select(ToRow).AsAsyncEnumerable(), viewerId, cancellationToken))
            .ToDictionary(m => m.Id);
        return messageIds.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }

    /// <summary>
    /// A page of a channel's history, newest first: the newest messages, or those just older than <paramref name="before"/>.
    /// One query for the rows themselves, compiled once: the page is the most read thing, and a LINQ query built per
    /// request was walked for its parameters and hashed for the cache on every page.
    /// </summary>
    public static Task<List<MessageResponse>> LoadNewestAsync(KamaDbContext db, AttachmentLinks links, Snowflake channelId, Snowflake? before, int size, Snowflake viewerId, CancellationToken cancellationToken) =>
        CompleteAsync(db, links, before is { } b ? Before.For(db)(db, channelId, b, size) : Newest.For(db)(db, channelId, size), viewerId, cancellationToken);

    /// <summary>The oldest messages newer than <paramref name="after"/>, oldest first.</summary>
    public static Task<List<MessageResponse>> LoadAfterAsync(KamaDbContext db, AttachmentLinks links, Snowflake channelId, Snowflake after, int size, Snowflake viewerId, CancellationToken cancellationToken) =>
        CompleteAsync(db, links, After.For(db)(db, channelId, after, size), viewerId, cancellationToken);

    /// <summary>A message's own row, with its author and the user a system line is about.</summary>
    private sealed record Row(
        Snowflake Id, Snowflake ChannelId, Snowflake AuthorId, string? UserName, string? DisplayName, string? AvatarUrl, string Content, string? Nonce,
        Snowflake? ReplyToId, bool MentionsEveryone, DateTimeOffset CreatedAt, DateTimeOffset? EditedAt, DateTimeOffset? PinnedAt, long Sequence,
        MessageKind Kind, Snowflake? TargetUserId, string? TargetUserName, string? TargetDisplayName, string? TargetAvatarUrl);

    private static readonly Expression<Func<Message, Row>> ToRow = m => new Row(
        m.Id, m.ChannelId, m.AuthorId, m.Author.UserName, m.Author.DisplayName, m.Author.AvatarUrl, m.Content, m.Nonce,
        m.ReplyToId, m.MentionsEveryone, m.CreatedAt, m.EditedAt, m.PinnedAt, m.Sequence,
        m.Kind, m.TargetUserId, m.TargetUser!.UserName, m.TargetUser.DisplayName, m.TargetUser.AvatarUrl);

    private static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, int, IAsyncEnumerable<Row>>> Newest = new(() => EF.CompileAsyncQuery(
        (KamaDbContext db, Snowflake channelId, int size) =>
            db.Messages.AsNoTracking().TagWith(PreparedStatements.Tag).Where(m => m.ChannelId == channelId).OrderByDescending(m => m.Id).Take(size).Select(ToRow)));

    private static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, Snowflake, int, IAsyncEnumerable<Row>>> Before = new(() => EF.CompileAsyncQuery(
        (KamaDbContext db, Snowflake channelId, Snowflake before, int size) =>
            db.Messages.AsNoTracking().TagWith(PreparedStatements.Tag).Where(m => m.ChannelId == channelId && m.Id < before).OrderByDescending(m => m.Id).Take(size).Select(ToRow)));

    private static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, Snowflake, int, IAsyncEnumerable<Row>>> After = new(() => EF.CompileAsyncQuery(
        (KamaDbContext db, Snowflake channelId, Snowflake after, int size) =>
            db.Messages.AsNoTracking().TagWith(PreparedStatements.Tag).Where(m => m.ChannelId == channelId && m.Id > after).OrderBy(m => m.Id).Take(size).Select(ToRow)));

    private static async Task<List<MessageResponse>> CompleteAsync(KamaDbContext db, AttachmentLinks links, IAsyncEnumerable<Row> messages, Snowflake viewerId, CancellationToken cancellationToken)
    {
        // One connection for the page's two commands, not one taken from the pool and given back per query.
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var rows = new List<Row>();
            await foreach (var row in messages.WithCancellation(cancellationToken))
                rows.Add(row);
            if (rows.Count == 0)
                return [];
            var ids = rows.Select(r => r.Id).ToList();
            var replyIds = rows.Where(r => r.ReplyToId != null).Select(r => r.ReplyToId!.Value).Distinct().ToList();
            // Mentions are parsed from the content when it is sent or edited (MentionParser), so a page none of whose
            // messages holds "<@" has none: its statement is not sent (most pages).
            var mayMention = rows.Exists(r => r.Content.Contains(MentionParser.Opening, StringComparison.Ordinal));
            var (mentions, reactions, attachments, replies) = await PartsAsync(db, ids, mayMention, replyIds, viewerId, cancellationToken);

            return rows.Select(r => new MessageResponse(
                r.Id, r.ChannelId, UserSummary.Of(r.AuthorId, r.UserName, r.DisplayName, r.AvatarUrl),
                r.Content, r.Nonce, r.ReplyToId is { } reply ? ReplyPreviewOf(reply, replies) : null,
                mentions.TryGetValue(r.Id, out var mentioned) ? mentioned.Users : [],
                mentioned?.Roles ?? [],
                r.MentionsEveryone, r.CreatedAt, r.EditedAt, r.PinnedAt is not null,
                reactions.TryGetValue(r.Id, out var reacted) ? reacted : [],
                attachments.TryGetValue(r.Id, out var attached) ? attached.ConvertAll(links.Describe) : [],
                r.Sequence,
                MessageKinds.Name(r.Kind),
                r.TargetUserId is { } target ? UserSummary.Of(target, r.TargetUserName, r.TargetDisplayName, r.TargetAvatarUrl) : null)).ToList();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
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
    private static async Task<(Dictionary<Snowflake, Mentioned> Mentions, Dictionary<Snowflake, List<ReactionSummary>> Reactions,
        Dictionary<Snowflake, List<AttachmentRow>> Attachments, Dictionary<Snowflake, (Snowflake AuthorId, string Content)> Replies)> PartsAsync(
        KamaDbContext db, List<Snowflake> ids, bool mayMention, List<Snowflake> replyIds, Snowflake viewerId, CancellationToken cancellationToken)
    {
        await using var command = RawCommands.Create(db, 2 + (mayMention ? 1 : 0) + (replyIds.Count > 0 ? 1 : 0));
        var postgres = db is PostgresKamaDbContext;
        string In(string name, List<Snowflake> values)
        {
            if (!postgres)
            {
                Add(name, $"[{string.Join(',', values.Select(v => v.Value.ToString(CultureInfo.InvariantCulture)))}]");
                return $"IN (SELECT value FROM json_each(@{name}))";
            }
            var array = new long[values.Count];
            for (var i = 0; i < array.Length; i++)
                array[i] = values[i].Value;
            Add(name, array);
            return $"= ANY(@{name})";
        }
        void Add(string name, object value)
        {
            var parameter = command.CreateParameter();
            (parameter.ParameterName, parameter.Value) = (name, value);
            command.Parameters.Add(parameter);
        }
        var page = In("page", ids);
        const string viewer = "@viewer";
        Add("viewer", viewerId.Value);
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
        await using var reader = await PreparedStatements.ExecuteReaderAsync(db, command, cancellationToken);

        var mentions = new Dictionary<Snowflake, Mentioned>();
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

        var reactions = new Dictionary<Snowflake, List<ReactionSummary>>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var messageId = new Snowflake(reader.GetInt64(0));
            if (!reactions.TryGetValue(messageId, out var summaries))
                reactions[messageId] = summaries = [];
            summaries.Add(new ReactionSummary(reader.GetString(1), (int)reader.GetInt64(2), reader.GetInt64(3) > 0));
        }
        // Ordinal, whatever the database's collation would have made of ORDER BY.
        foreach (var summaries in reactions.Values)
            summaries.Sort((x, y) => string.CompareOrdinal(x.Emoji, y.Emoji));

        await reader.NextResultAsync(cancellationToken);
        var attachments = new Dictionary<Snowflake, List<AttachmentRow>>();
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

        var replies = new Dictionary<Snowflake, (Snowflake AuthorId, string Content)>();
        if (replyIds.Count > 0)
        {
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                replies[new Snowflake(reader.GetInt64(0))] = (new Snowflake(reader.GetInt64(1)), reader.GetString(2));
        }
        return (mentions, reactions, attachments, replies);
    }

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
