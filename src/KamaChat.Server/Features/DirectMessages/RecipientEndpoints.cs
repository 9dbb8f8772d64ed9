using System.Security.Claims;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.DirectMessages;

/// <summary>Adding people to a group DM (its owner) and taking them out (the owner, or anyone leaving).</summary>
public static class RecipientEndpoints
{
    internal static IEndpointRouteBuilder MapRecipients(this IEndpointRouteBuilder app)
    {
        var recipients = app.MapGroup("/api/v1/channels/{id:long}/recipients").WithTags("Direct messages").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        recipients.MapPut("/{userId:long}", AddAsync);
        recipients.MapDelete("/{userId:long}", RemoveAsync);
        return app;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> AddAsync(
        long id, long userId, ClaimsPrincipal principal, KamaDbContext db, PermissionService permissions, EventLog events,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var callerId = principal.UserId();
        var (channel, problem) = await GroupAsync(permissions, callerId, id, cancellationToken);
        if (problem is not null)
            return problem;
        if (channel!.OwnerId != callerId)
            return NotOwner();
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId && u.Email != null)
            .Select(u => UserSummary.Of(u.Id, u.UserName, u.DisplayName, u.AvatarUrl)).SingleOrDefaultAsync(cancellationToken);
        if (user is null)
            return Problems.NotFound("The user");
        if (await db.ChannelRecipients.AnyAsync(r => r.ChannelId == id && r.UserId == userId, cancellationToken))
            return TypedResults.NoContent();

        await using var change = await events.BeginAsync(cancellationToken);
        // Appending first takes the channel's stream lock, so two additions at once cannot pass the limit together.
        await change.AppendAsync(new RecipientAdded(id, user), cancellationToken);
        var count = await db.ChannelRecipients.CountAsync(r => r.ChannelId == id, cancellationToken);
        if (count >= Channel.MaxGroupDmRecipients)
            return DirectMessageEndpoints.TooManyRecipients();
        if (await db.ChannelRecipients.AnyAsync(r => r.ChannelId == id && r.UserId == userId, cancellationToken))
            return TypedResults.NoContent();
        db.ChannelRecipients.Add(new ChannelRecipient { ChannelId = id, UserId = userId, JoinedAt = time.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken);
        await change.AppendAsync(new DmChannelCreated(userId, await DmChannels.DescribeAsync(db, id, cancellationToken)), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        long id, long userId, ClaimsPrincipal principal, KamaDbContext db, PermissionService permissions, EventLog events,
        CancellationToken cancellationToken)
    {
        var callerId = principal.UserId();
        var (channel, problem) = await GroupAsync(permissions, callerId, id, cancellationToken);
        if (problem is not null)
            return problem;
        if (userId != callerId && channel!.OwnerId != callerId)
            return NotOwner();
        if (!await db.ChannelRecipients.AnyAsync(r => r.ChannelId == id && r.UserId == userId, cancellationToken))
            return Problems.NotFound("The recipient");

        await using var change = await events.BeginAsync(cancellationToken);
        await DmChannels.RemoveRecipientAsync(db, change, id, userId, cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The group DM, if the caller is in it: someone else's group is 404, a one-to-one DM or server channel 400.</summary>
    private static async Task<(Channel? Channel, ProblemHttpResult? Problem)> GroupAsync(
        PermissionService permissions, long userId, long channelId, CancellationToken cancellationToken)
    {
        var access = await permissions.ForChannelAsync(userId, channelId, cancellationToken);
        if (access is null)
            return (null, Problems.NotFound("The channel"));
        return access.Channel.Type == ChannelType.GroupDm
            ? (access.Channel, null)
            : (null, Problems.Of(StatusCodes.Status400BadRequest, "not_group_dm", "Only group DMs have recipients to add or remove."));
    }

    private static ProblemHttpResult NotOwner() => Problems.Forbidden("not_owner", "Only the group's owner can do this.");
}
