using System.Security.Claims;
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
        var reactions = channel.MapGroup("/messages/{messageId:long}/reactions/{emoji}").WithTags("Reactions");
        reactions.MapPut("/@me", AddAsync);
        reactions.MapDelete("/@me", RemoveOwnAsync);
        reactions.MapDelete("/{userId:long}", RemoveAsync);
        reactions.MapGet("", ListUsersAsync);
        return channel;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> AddAsync(
        long id, long messageId, string emoji, ClaimsPrincipal principal, KamaDbContext db, PermissionService permissions,
        EventLog events, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = principal.UserId();
        var (access, problem) = await FindAsync(db, permissions, userId, id, messageId, emoji, cancellationToken);
        if (problem is not null)
            return problem;
        if (!access!.Has(Perms.AddReactions))
            return MessagingProblems.Missing("ADD_REACTIONS");
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

    private static async Task<bool> ExistsAfterFailureAsync(KamaDbContext db, long messageId, string emoji, long userId, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        return await db.Reactions.AnyAsync(r => r.MessageId == messageId && r.Emoji == emoji && r.UserId == userId, cancellationToken);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveOwnAsync(
        long id, long messageId, string emoji, ClaimsPrincipal principal, KamaDbContext db, PermissionService permissions,
        EventLog events, CancellationToken cancellationToken)
    {
        var userId = principal.UserId();
        if ((await FindAsync(db, permissions, userId, id, messageId, emoji, cancellationToken)).Problem is { } problem)
            return problem;
        await RemoveReactionAsync(db, events, id, messageId, emoji, userId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        long id, long messageId, string emoji, long userId, ClaimsPrincipal principal, KamaDbContext db, PermissionService permissions,
        EventLog events, CancellationToken cancellationToken)
    {
        var callerId = principal.UserId();
        var (access, problem) = await FindAsync(db, permissions, callerId, id, messageId, emoji, cancellationToken);
        if (problem is not null)
            return problem;
        if (userId != callerId && !access!.Has(Perms.ManageMessages))
            return MessagingProblems.Missing("MANAGE_MESSAGES");
        await RemoveReactionAsync(db, events, id, messageId, emoji, userId, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Removes one reaction if it exists; removing one that is not there changes nothing and emits nothing.</summary>
    private static async Task RemoveReactionAsync(KamaDbContext db, EventLog events, long channelId, long messageId, string emoji, long userId, CancellationToken cancellationToken)
    {
        await using var change = await events.BeginAsync(cancellationToken);
        if (await db.Reactions.Where(r => r.MessageId == messageId && r.Emoji == emoji && r.UserId == userId).ExecuteDeleteAsync(cancellationToken) == 0)
            return;
        await change.AppendAsync(new ReactionRemoved(channelId, messageId, emoji, userId), cancellationToken);
        await change.CommitAsync(cancellationToken);
    }

    /// <summary>Who reacted with this emoji, ordered by user id; <c>after</c> is a user id cursor.</summary>
    private static async Task<Results<Ok<List<UserSummary>>, ValidationProblem, ProblemHttpResult>> ListUsersAsync(
        long id, long messageId, string emoji, [FromQuery] long? after, [FromQuery] int? limit, ClaimsPrincipal principal,
        KamaDbContext db, PermissionService permissions, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MessageEndpoints.MaxPageSize)
            return Problems.Validation("limit", $"limit must be between 1 and {MessageEndpoints.MaxPageSize}.");
        var userId = principal.UserId();
        if ((await FindAsync(db, permissions, userId, id, messageId, emoji, cancellationToken)).Problem is { } problem)
            return problem;
        var cursor = after ?? 0;
        var users = await db.Reactions.AsNoTracking()
            .Where(r => r.MessageId == messageId && r.Emoji == emoji && r.UserId > cursor)
            .OrderBy(r => r.UserId)
            .Take(limit ?? DefaultUserPageSize)
            .Join(db.Users, r => r.UserId, u => u.Id, (r, u) => new { u.Id, u.UserName, u.DisplayName, u.AvatarUrl })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(users.OrderBy(u => u.Id).Select(u => UserSummary.Of(u.Id, u.UserName, u.DisplayName, u.AvatarUrl)).ToList());
    }

    /// <summary>The checks every reaction endpoint shares: a readable channel, a message in it, a valid emoji.</summary>
    private static async Task<(ChannelAccess? Access, ProblemHttpResult? Problem)> FindAsync(
        KamaDbContext db, PermissionService permissions, long userId, long channelId, long messageId, string emoji, CancellationToken cancellationToken)
    {
        var access = await permissions.ForChannelAsync(userId, channelId, cancellationToken);
        if (MessagingProblems.CannotRead(access) is { } problem)
            return (null, problem);
        if (!await db.Messages.AnyAsync(m => m.Id == messageId && m.ChannelId == channelId, cancellationToken))
            return (null, MessagingProblems.MessageNotFound());
        return Emoji.IsValid(emoji)
            ? (access, null)
            : (null, Problems.Of(StatusCodes.Status400BadRequest, "invalid_emoji", "The reaction must be one or more Unicode emoji (at most 64 characters)."));
    }
}
