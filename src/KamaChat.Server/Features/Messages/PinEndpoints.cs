using System.Security.Claims;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.Messages;

/// <summary>Pinned messages of a channel (at most <see cref="MaxPinsPerChannel"/>).</summary>
public static class PinEndpoints
{
    public const int MaxPinsPerChannel = 50;

    internal static RouteGroupBuilder MapPins(this RouteGroupBuilder channel)
    {
        var pins = channel.MapGroup("/pins").WithTags("Pins");
        pins.MapGet("", ListAsync);
        pins.MapPut("/{messageId:long}", PinAsync);
        pins.MapDelete("/{messageId:long}", UnpinAsync);
        return channel;
    }

    /// <summary>Pinned messages, most recently pinned first.</summary>
    private static async Task<Results<Ok<List<MessageResponse>>, ProblemHttpResult>> ListAsync(
        long id, ClaimsPrincipal principal, KamaDbContext db, PermissionService permissions, CancellationToken cancellationToken)
    {
        var userId = principal.UserId();
        if (MessagingProblems.CannotRead(await permissions.ForChannelAsync(userId, id, cancellationToken)) is { } problem)
            return problem;
        var pinned = await db.Messages.AsNoTracking()
            .Where(m => m.ChannelId == id && m.PinnedAt != null)
            .Select(m => new { m.Id, m.PinnedAt })
            .ToListAsync(cancellationToken);
        var ids = pinned.OrderByDescending(m => m.PinnedAt).ThenByDescending(m => m.Id).Select(m => m.Id).ToList();
        return TypedResults.Ok(await MessageQueries.LoadAsync(db, ids, userId, cancellationToken));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> PinAsync(
        long id, long messageId, ClaimsPrincipal principal, KamaDbContext db, PermissionService permissions, EventLog events,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var (pinnedAt, problem) = await FindAsync(db, permissions, principal.UserId(), id, messageId, cancellationToken);
        if (problem is not null)
            return problem;
        if (pinnedAt is not null)
            return TypedResults.NoContent();

        var now = time.GetUtcNow();
        await using var change = await events.BeginAsync(cancellationToken);
        // Appending first takes the channel's stream lock: two pins at once cannot both squeeze under the limit.
        await change.AppendAsync(new MessagePinned(id, messageId, now), cancellationToken);
        if (await db.Messages.CountAsync(m => m.ChannelId == id && m.PinnedAt != null, cancellationToken) >= MaxPinsPerChannel)
            return Problems.Of(StatusCodes.Status400BadRequest, "too_many_pins", $"A channel can have at most {MaxPinsPerChannel} pinned messages.");
        if (await db.Messages.Where(m => m.Id == messageId && m.PinnedAt == null).ExecuteUpdateAsync(s => s.SetProperty(m => m.PinnedAt, now), cancellationToken) == 0)
            return TypedResults.NoContent(); // Pinned meanwhile, or deleted: nothing to announce.
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> UnpinAsync(
        long id, long messageId, ClaimsPrincipal principal, KamaDbContext db, PermissionService permissions, EventLog events,
        CancellationToken cancellationToken)
    {
        var (pinnedAt, problem) = await FindAsync(db, permissions, principal.UserId(), id, messageId, cancellationToken);
        if (problem is not null)
            return problem;
        if (pinnedAt is null)
            return TypedResults.NoContent();

        await using var change = await events.BeginAsync(cancellationToken);
        if (await db.Messages.Where(m => m.Id == messageId && m.PinnedAt != null).ExecuteUpdateAsync(s => s.SetProperty(m => m.PinnedAt, (DateTimeOffset?)null), cancellationToken) == 0)
            return TypedResults.NoContent();
        await change.AppendAsync(new MessageUnpinned(id, messageId), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>A visible channel, PIN_MESSAGES or MANAGE_MESSAGES, and the message in it: its current pin time, or the problem.</summary>
    private static async Task<(DateTimeOffset? PinnedAt, ProblemHttpResult? Problem)> FindAsync(
        KamaDbContext db, PermissionService permissions, long userId, long channelId, long messageId, CancellationToken cancellationToken)
    {
        var access = await permissions.ForChannelAsync(userId, channelId, cancellationToken);
        if (MessagingProblems.CannotRead(access) is { } problem)
            return (null, problem);
        var message = await db.Messages.AsNoTracking().Where(m => m.Id == messageId && m.ChannelId == channelId)
            .Select(m => new { m.PinnedAt }).SingleOrDefaultAsync(cancellationToken);
        if (message is null)
            return (null, MessagingProblems.MessageNotFound());
        if (!access!.Has(Perms.PinMessages) && !access.Has(Perms.ManageMessages))
            return (null, MessagingProblems.Missing("PIN_MESSAGES"));
        return (message.PinnedAt, null);
    }
}
