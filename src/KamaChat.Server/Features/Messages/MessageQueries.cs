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
        var byId = (await CompleteAsync(db, links, db.Messages.Where(m => ids.Contains(m.Id)), viewerId, cancellationToken)).ToDictionary(m => m.Id);
        return messageIds.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }

    /// <summary>
    /// The messages <paramref name="page"/> selects (already filtered, ordered and limited), in its order: one query for
    /// the rows themselves instead of one for their ids and one for the rows (a history page is the most read thing).
    /// </summary>
    public static Task<List<MessageResponse>> LoadPageAsync(KamaDbContext db, AttachmentLinks links, IQueryable<Message> page, Snowflake viewerId, CancellationToken cancellationToken) =>
        CompleteAsync(db, links, page, viewerId, cancellationToken);

    private static async Task<List<MessageResponse>> CompleteAsync(KamaDbContext db, AttachmentLinks links, IQueryable<Message> messages, Snowflake viewerId, CancellationToken cancellationToken)
    {
        // One connection for the page's five or six queries, not one taken from the pool and given back per query.
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var rows = await messages.AsNoTracking()
                .Select(m => new
                {
                    m.Id, m.ChannelId, m.AuthorId, m.Author.UserName, m.Author.DisplayName, m.Author.AvatarUrl, m.Content, m.Nonce,
                    m.ReplyToId, m.MentionsEveryone, m.CreatedAt, m.EditedAt, m.PinnedAt, m.Sequence, m.Kind, m.TargetUserId,
                    TargetUserName = m.TargetUser!.UserName, TargetDisplayName = m.TargetUser.DisplayName, TargetAvatarUrl = m.TargetUser.AvatarUrl,
                })
                .ToListAsync(cancellationToken);
            if (rows.Count == 0)
                return [];
            var ids = rows.Select(r => r.Id).ToList();

            var mentions = (await db.MessageMentions.AsNoTracking().Where(x => ids.Contains(x.MessageId)).ToListAsync(cancellationToken))
                .ToLookup(x => x.MessageId);
            var reactions = (await db.Reactions.AsNoTracking()
                    .Where(r => ids.Contains(r.MessageId))
                    .GroupBy(r => new { r.MessageId, r.Emoji })
                    .Select(g => new { g.Key.MessageId, g.Key.Emoji, Count = g.Count(), Mine = g.Count(r => r.UserId == viewerId) })
                    .ToListAsync(cancellationToken))
                .ToLookup(r => r.MessageId);
            var attachments = (await AttachmentLinks.Rows(db.Attachments.AsNoTracking()
                    .Where(a => a.MessageId != null && ids.Contains(a.MessageId.Value))
                    .OrderBy(a => a.Id))
                    .ToListAsync(cancellationToken))
                .ToLookup(a => a.MessageId);
            var replies = await ReplyPreviewsAsync(db, rows.Where(r => r.ReplyToId != null).Select(r => r.ReplyToId!.Value).Distinct().ToList(), cancellationToken);

            return rows.Select(r => new MessageResponse(
                r.Id, r.ChannelId, UserSummary.Of(r.AuthorId, r.UserName, r.DisplayName, r.AvatarUrl),
                r.Content, r.Nonce, r.ReplyToId is { } reply ? replies[reply] : null,
                mentions[r.Id].Where(x => x.TargetType == MentionTarget.User).Select(x => x.TargetId).Order().ToList(),
                mentions[r.Id].Where(x => x.TargetType == MentionTarget.Role).Select(x => x.TargetId).Order().ToList(),
                r.MentionsEveryone, r.CreatedAt, r.EditedAt, r.PinnedAt is not null,
                reactions[r.Id].OrderBy(x => x.Emoji, StringComparer.Ordinal).Select(x => new ReactionSummary(x.Emoji, x.Count, x.Mine > 0)).ToList(),
                attachments[r.Id].Select(links.Describe).ToList(),
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
                .ToDictionaryAsync(m => m.Id, cancellationToken);
        return replyIds.ToDictionary(id => id, id => found.TryGetValue(id, out var m)
            ? new ReplyPreview(id, m.AuthorId, Preview(m.Content), false)
            : new ReplyPreview(id, null, null, true));
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
