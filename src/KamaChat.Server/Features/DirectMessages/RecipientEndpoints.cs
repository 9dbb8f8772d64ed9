using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.ReadStates;
using KamaChat.Server.Features.Relationships;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.DirectMessages;

/// <summary>Adding people to a group DM (its owner) and taking them out (the owner, or anyone leaving).</summary>
public static class RecipientEndpoints
{
    internal static IEndpointRouteBuilder MapRecipients(this IEndpointRouteBuilder app)
    {
        var recipients = app.MapGroup("/api/v1/channels/{id:snowflake}/recipients").WithTags("Direct messages").RequireAuthorization();
        // Group DMs have an owner rather than permissions: who may add or remove is the handlers' check.
        recipients.MapPut("/{userId:snowflake}", AddAsync).RequireChannelPermission()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden);
        recipients.MapDelete("/{userId:snowflake}", RemoveAsync).RequireChannelPermission()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> AddAsync(
        ChannelAccess access, Snowflake userId, CurrentUser user, KamaDbContext db, EventLog events, SnowflakeGenerator ids, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (NotGroup(access) is { } problem)
            return problem;
        if (access.Channel.OwnerId != user.Id)
            return NotOwner();
        var id = access.ChannelId;
        var added = await db.Users.AsNoTracking().Where(u => u.Id == userId && u.Email != null)
            .Select(u => UserSummary.Of(u.Id, u.UserName, u.DisplayName, u.AvatarUrl)).SingleOrDefaultAsync(cancellationToken);
        if (added is null)
            return Problems.NotFound("The user");
        if (await db.ChannelRecipients.AnyAsync(r => r.ChannelId == id && r.UserId == userId, cancellationToken))
            return TypedResults.NoContent();
        if (await ContactPolicy.CheckDmAsync(db, user.Id, userId, cancellationToken) is not ContactRefusal.None and var refusal)
            return ContactPolicy.DmProblem(refusal);

        await using var change = await events.BeginAsync(cancellationToken);
        if (!await SystemMessages.LockChannelAsync(db, id, cancellationToken))
            return Problems.NotFound("The channel");
        // Appending first takes the channel's stream lock, so two additions at once cannot pass the limit together.
        await change.AppendAsync(new RecipientAdded(id, added), cancellationToken);
        var count = await db.ChannelRecipients.CountAsync(r => r.ChannelId == id, cancellationToken);
        if (count >= Channel.MaxGroupDmRecipients)
            return DirectMessageEndpoints.TooManyRecipients();
        if (await db.ChannelRecipients.AnyAsync(r => r.ChannelId == id && r.UserId == userId, cancellationToken))
            return TypedResults.NoContent();
        var joinPosition = ids.NextId();
        db.ChannelRecipients.Add(new ChannelRecipient { ChannelId = id, UserId = userId, JoinedAt = time.GetUtcNow(), JoinPosition = joinPosition });
        await db.SaveChangesAsync(cancellationToken);
        // Back in a group they had read before: their read position moves up to the join, and their devices with it (a
        // server join makes every device fetch a fresh Ready; a group DM's addition does not).
        if (await ReadStateService.StartAtJoinAsync(db, userId, id, joinPosition, cancellationToken) > 0)
            await change.AppendAsync(new ReadStateUpdated(userId, new ReadStateResponse(id, joinPosition, MentionCount: 0)), cancellationToken);
        await change.AppendAsync(new DmChannelCreated(userId, await DmChannels.DescribeAsync(db, id, cancellationToken)), cancellationToken);
        await SystemMessages.PostAsync(db, change, id, user.Id, MessageKind.RecipientAdded, userId, "", cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        ChannelAccess access, Snowflake userId, CurrentUser user, KamaDbContext db, EventLog events, CancellationToken cancellationToken)
    {
        if (NotGroup(access) is { } problem)
            return problem;
        if (userId != user.Id && access.Channel.OwnerId != user.Id)
            return NotOwner();
        var id = access.ChannelId;
        if (!await db.ChannelRecipients.AnyAsync(r => r.ChannelId == id && r.UserId == userId, cancellationToken))
            return Problems.NotFound("The recipient");

        await using var change = await events.BeginAsync(cancellationToken);
        if (!await SystemMessages.LockChannelAsync(db, id, cancellationToken))
            return Problems.NotFound("The channel");
        // Those who stay see who left (author and target the same) or who was removed by whom; the last to leave deletes the channel, line and all.
        await SystemMessages.PostAsync(db, change, id, user.Id, MessageKind.RecipientRemoved, userId, "", cancellationToken);
        await DmChannels.RemoveRecipientAsync(db, change, id, userId, cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Only a group DM has recipients to add or remove: a one-to-one DM or a server channel is 400.</summary>
    internal static ProblemHttpResult? NotGroup(ChannelAccess access) => access.Channel.Type == ChannelType.GroupDm
        ? null
        : Problems.Of(StatusCodes.Status400BadRequest, "not_group_dm", "Only group DMs have recipients to add or remove.");

    private static ProblemHttpResult NotOwner() => Problems.Forbidden("not_owner", "Only the group's owner can do this.");
}
