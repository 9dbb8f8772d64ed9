using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.Messages;

/// <summary>Unicode emoji reactions on messages.</summary>
public static class ReactionEndpoints
{
    public const int MaxEmojiPerMessage = 20;
    public const int DefaultUserPageSize = 25;

    internal static RouteGroupBuilder MapReactions(this RouteGroupBuilder channel)
    {
        var reactions = channel.MapGroup("/messages/{messageId:snowflake}/reactions/{emoji}").WithTags("Reactions");
        reactions.MapPut("/@me", AddAsync).RequireChannelPermission(Perms.ReadMessageHistory | Perms.AddReactions, ChannelScope.MessageChannel);
        reactions.MapDelete("/@me", RemoveOwnAsync).RequireChannelPermission(Perms.ReadMessageHistory, ChannelScope.MessageChannel);
        // Anyone may take back their own reaction; someone else's needs MANAGE_MESSAGES, which the handler checks.
        reactions.MapDelete("/{userId:snowflake}", RemoveAsync).RequireChannelPermission(Perms.ReadMessageHistory, ChannelScope.MessageChannel);
        reactions.MapGet("", ListUsersAsync).RequireChannelPermission(Perms.ReadMessageHistory, ChannelScope.MessageChannel);
        return channel;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> AddAsync(
        ChannelAccess access, Snowflake messageId, string emoji, CurrentUser user, KamaDbContext db, EventLog events, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var (id, userId) = (access.ChannelId, user.Id);
        if (access.Server?.TimeoutAt(time.GetUtcNow()) is { } timedOutUntil)
            return PermissionProblems.TimedOut(timedOutUntil);
        if (await RefuseAsync(db, id, messageId, emoji, cancellationToken) is { } problem)
            return problem;
        if (await db.Reactions.AnyAsync(r => r.MessageId == messageId && r.Emoji == emoji && r.UserId == userId, cancellationToken))
            return TypedResults.NoContent();

        try
        {
            await using var change = await events.BeginAsync(cancellationToken);
            // Appending first takes the channel's stream lock, so the emoji count below cannot race another reaction.
            await change.AppendAsync(new ReactionAdded(id, messageId, emoji, userId), cancellationToken);
            var emojiInUse = await db.Reactions.Where(r => r.MessageId == messageId).Select(r => r.Emoji).Distinct().ToListAsync(cancellationToken);
            if (!emojiInUse.Contains(emoji) && emojiInUse.Count >= MaxEmojiPerMessage)
                return Problems.Of(StatusCodes.Status400BadRequest, "too_many_reactions",
                    $"A message can carry at most {MaxEmojiPerMessage} different emoji.");
            db.Reactions.Add(new Reaction { MessageId = messageId, Emoji = emoji, UserId = userId, CreatedAt = time.GetUtcNow() });
            await change.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The same reaction arrived twice at once: it is there, which is all the caller asked for.
            if (!await ExistsAfterFailureAsync(db, messageId, emoji, userId, cancellationToken))
                throw;
        }
        return TypedResults.NoContent();
    }

    private static async Task<bool> ExistsAfterFailureAsync(KamaDbContext db, Snowflake messageId, string emoji, Snowflake userId, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        return await db.Reactions.AnyAsync(r => r.MessageId == messageId && r.Emoji == emoji && r.UserId == userId, cancellationToken);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveOwnAsync(
        ChannelAccess access, Snowflake messageId, string emoji, CurrentUser user, KamaDbContext db, EventLog events, CancellationToken cancellationToken)
    {
        if (await RefuseAsync(db, access.ChannelId, messageId, emoji, cancellationToken) is { } problem)
            return problem;
        await RemoveReactionAsync(db, events, access.ChannelId, messageId, emoji, user.Id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        ChannelAccess access, Snowflake messageId, string emoji, Snowflake userId, CurrentUser user, KamaDbContext db, EventLog events,
        CancellationToken cancellationToken)
    {
        if (await RefuseAsync(db, access.ChannelId, messageId, emoji, cancellationToken) is { } problem)
            return problem;
        if (userId != user.Id && !access.Has(Perms.ManageMessages))
            return access.Refusal(Perms.ManageMessages);
        await RemoveReactionAsync(db, events, access.ChannelId, messageId, emoji, userId, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Removes one reaction if it exists; removing one that is not there changes nothing and emits nothing.</summary>
    private static async Task RemoveReactionAsync(KamaDbContext db, EventLog events, Snowflake channelId, Snowflake messageId, string emoji,
        Snowflake userId, CancellationToken cancellationToken)
    {
        await using var change = await events.BeginAsync(cancellationToken);
        if (await db.Reactions.Where(r => r.MessageId == messageId && r.Emoji == emoji && r.UserId == userId).ExecuteDeleteAsync(cancellationToken) == 0)
            return;
        await change.AppendAsync(new ReactionRemoved(channelId, messageId, emoji, userId), cancellationToken);
        await change.CommitAsync(cancellationToken);
    }

    /// <summary>Who reacted with this emoji, ordered by user id; <c>after</c> is a user id cursor.</summary>
    private static async Task<Results<Ok<List<UserSummary>>, ValidationProblem, ProblemHttpResult>> ListUsersAsync(
        ChannelAccess access, Snowflake messageId, string emoji, [FromQuery] Snowflake? after, [FromQuery] int? limit, KamaDbContext db,
        CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MessageEndpoints.MaxPageSize)
            return Problems.Validation("limit", $"limit must be between 1 and {MessageEndpoints.MaxPageSize}.");
        if (await RefuseAsync(db, access.ChannelId, messageId, emoji, cancellationToken) is { } problem)
            return problem;
        var cursor = after ?? default;
        var users = await db.Reactions.AsNoTracking()
            .Where(r => r.MessageId == messageId && r.Emoji == emoji && r.UserId > cursor)
            .OrderBy(r => r.UserId)
            .Take(limit ?? DefaultUserPageSize)
            .Join(db.Users, r => r.UserId, u => u.Id, (r, u) => new { u.Id, u.UserName, u.DisplayName, u.AvatarUrl })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(users.OrderBy(u => u.Id).Select(u => UserSummary.Of(u.Id, u.UserName, u.DisplayName, u.AvatarUrl)).ToList());
    }

    /// <summary>What every reaction endpoint checks in the (readable) channel: the message is in it and the emoji is an emoji.</summary>
    private static async Task<ProblemHttpResult?> RefuseAsync(
        KamaDbContext db, Snowflake channelId, Snowflake messageId, string emoji, CancellationToken cancellationToken)
    {
        if (!await db.Messages.AnyAsync(m => m.Id == messageId && m.ChannelId == channelId, cancellationToken))
            return MessagingProblems.MessageNotFound();
        return Emoji.IsValid(emoji)
            ? null
            : Problems.Of(StatusCodes.Status400BadRequest, "invalid_emoji", "The reaction must be one or more Unicode emoji (at most 64 characters).");
    }
}
