using KamaChat.Server.Data;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Relationships;

/// <summary>
/// Every change to a pair's relationship: read both sides' rows, decide both sides' new types, write them and each
/// changed side's event in one transaction. Two changes to one pair at once (both asking each other, a block during an
/// accept) collide on the rows' key or <see cref="Relationship.Version"/>; the loser starts again on the winner's rows.
/// </summary>
public sealed class RelationshipChanges(KamaDbContext db, EventLog events, TimeProvider time)
{
    private const int Attempts = 4;

    /// <summary>Asks <paramref name="otherId"/> to be friends, or accepts their request if they asked first.</summary>
    public async Task<Results<Ok<RelationshipResponse>, ValidationProblem, ProblemHttpResult>> RequestAsync(
        Snowflake userId, Snowflake otherId, CancellationToken cancellationToken)
    {
        if (userId == otherId)
            return Problems.Of(StatusCodes.Status400BadRequest, "cannot_friend_self", "You cannot send a friend request to yourself.");
        var outcome = await ChangeAsync(userId, otherId, async (mine, theirs) =>
        {
            if (mine == RelationshipType.Blocked)
                return Decision.Refuse(ContactPolicy.FriendRequestProblem(ContactRefusal.SenderBlocked));
            if (theirs == RelationshipType.Blocked)
                return Decision.Refuse(ContactPolicy.FriendRequestProblem(ContactRefusal.Refused));
            if (mine is RelationshipType.Friend or RelationshipType.OutgoingRequest)
                return new Decision(mine, theirs);
            if (mine == RelationshipType.IncomingRequest)
                return new Decision(RelationshipType.Friend, RelationshipType.Friend);
            var refusal = await ContactPolicy.CheckFriendRequestAsync(db, userId, otherId, cancellationToken);
            return refusal != ContactRefusal.None
                ? Decision.Refuse(ContactPolicy.FriendRequestProblem(refusal))
                : new Decision(RelationshipType.OutgoingRequest, RelationshipType.IncomingRequest);
        }, cancellationToken);
        return outcome.Problem is { } problem ? problem : TypedResults.Ok(outcome.Mine!);
    }

    /// <summary>Blocks <paramref name="otherId"/>: any friendship or request between the two ends; their own block of the caller, if any, stays.</summary>
    public async Task<Results<Ok<RelationshipResponse>, ValidationProblem, ProblemHttpResult>> BlockAsync(
        Snowflake userId, Snowflake otherId, CancellationToken cancellationToken)
    {
        if (userId == otherId)
            return Problems.Of(StatusCodes.Status400BadRequest, "cannot_block_self", "You cannot block yourself.");
        var outcome = await ChangeAsync(userId, otherId, (_, theirs) =>
            Task.FromResult(new Decision(RelationshipType.Blocked, theirs == RelationshipType.Blocked ? RelationshipType.Blocked : null)), cancellationToken);
        return TypedResults.Ok(outcome.Mine!);
    }

    /// <summary>Ends what the caller has with <paramref name="otherId"/> (declines, cancels, unfriends, unblocks); false when they have nothing.</summary>
    public async Task<bool> RemoveAsync(Snowflake userId, Snowflake otherId, CancellationToken cancellationToken)
    {
        var outcome = await ChangeAsync(userId, otherId, (mine, theirs) => Task.FromResult(mine switch
        {
            null => Decision.Refuse(Problems.NotFound("The relationship")),
            RelationshipType.Blocked => new Decision(null, theirs),
            _ => new Decision(null, theirs == RelationshipType.Blocked ? RelationshipType.Blocked : null),
        }), cancellationToken);
        return outcome.Problem is null;
    }

    private sealed record Decision(RelationshipType? Mine, RelationshipType? Theirs, ProblemHttpResult? Problem = null)
    {
        public static Decision Refuse(ProblemHttpResult problem) => new(null, null, problem);
    }

    private sealed record Outcome(ProblemHttpResult? Problem, RelationshipResponse? Mine);

    private async Task<Outcome> ChangeAsync(
        Snowflake userId, Snowflake otherId, Func<RelationshipType?, RelationshipType?, Task<Decision>> decide, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            try
            {
                await using var change = await events.BeginAsync(cancellationToken);
                var mine = await RowAsync(userId, otherId, cancellationToken);
                var theirs = await RowAsync(otherId, userId, cancellationToken);
                var (mineBefore, theirsBefore) = (mine?.Type, theirs?.Type);
                var decision = await decide(mineBefore, theirsBefore);
                if (decision.Problem is not null)
                    return new Outcome(decision.Problem, null);

                var people = await db.Users.AsNoTracking().Where(u => u.Id == userId || u.Id == otherId)
                    .Select(u => UserSummary.Of(u.Id, u.UserName, u.DisplayName, u.AvatarUrl))
                    .ToDictionaryAsync(u => u.Id, cancellationToken);
                var now = time.GetUtcNow();
                mine = Apply(userId, otherId, mine, decision.Mine, now);
                theirs = Apply(otherId, userId, theirs, decision.Theirs, now);
                var mineResponse = mine is null ? null : Describe(mine, people[otherId]);
                if (mineBefore == decision.Mine && theirsBefore == decision.Theirs)
                    return new Outcome(null, mineResponse);

                await db.SaveChangesAsync(cancellationToken);
                // Each side's stream in id order, so two changes locking both streams cannot wait on each other.
                var sides = new[] { (userId, otherId, mineBefore, mine), (otherId, userId, theirsBefore, theirs) }.OrderBy(s => s.Item1);
                foreach (var (side, other, before, row) in sides)
                {
                    if (before == row?.Type)
                        continue;
                    if (row is null)
                        await change.AppendAsync(new RelationshipRemoved(side, other), cancellationToken);
                    else
                        await change.AppendAsync(new RelationshipUpdated(side, Describe(row, people[other])), cancellationToken);
                }
                await change.CommitAsync(cancellationToken);
                return new Outcome(null, mineResponse);
            }
            catch (DbUpdateException) when (attempt < Attempts)
            {
                // Another change to this pair committed first; decide again on what it left.
            }
        }
    }

    private Task<Relationship?> RowAsync(Snowflake userId, Snowflake otherId, CancellationToken cancellationToken) =>
        db.Set<Relationship>().SingleOrDefaultAsync(r => r.UserId == userId && r.OtherUserId == otherId, cancellationToken);

    /// <summary>Makes the row say <paramref name="wanted"/> (removing it for null); returns the row as it will be.</summary>
    private Relationship? Apply(Snowflake userId, Snowflake otherId, Relationship? row, RelationshipType? wanted, DateTimeOffset now)
    {
        if (wanted is not { } type)
        {
            if (row is not null)
                db.Remove(row);
            return null;
        }
        if (row is null)
        {
            row = new Relationship { UserId = userId, OtherUserId = otherId, Type = type, Since = now, Version = 1 };
            db.Add(row);
        }
        else if (row.Type != type)
        {
            (row.Type, row.Since) = (type, now);
            row.Version++;
        }
        return row;
    }

    private static RelationshipResponse Describe(Relationship row, UserSummary other) =>
        new(other.Id, RelationshipNames.Of(row.Type), other, row.Since, null);
}
