using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Audit;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.Servers;

/// <summary>Banning (which also removes the member), unbanning and the ban list. All need the Ban permission.</summary>
public static class BanEndpoints
{
    /// <summary>A ban removes at most the last 7 days of the user's messages (Discord's limit).</summary>
    public const int MaxDeleteMessageSeconds = 7 * 24 * 60 * 60;

    public static IEndpointRouteBuilder MapBanEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/servers/{id:snowflake}/bans").WithTags("Members").RequireAuthorization();
        group.MapGet("/", ListAsync).RequireServerPermission(P.Ban);
        group.MapPut("/{userId:snowflake}", BanAsync).RequireServerPermission(P.Ban).ProducesValidationProblem();
        group.MapDelete("/{userId:snowflake}", UnbanAsync).RequireServerPermission(P.Ban);
        return app;
    }

    private static async Task<Ok<List<BanResponse>>> ListAsync(ServerAccess access, KamaDbContext db, CancellationToken cancellationToken)
    {
        var bans = await db.Bans.AsNoTracking().Where(b => b.ServerId == access.ServerId)
            .OrderBy(b => b.UserId)
            .Join(db.Users, b => b.UserId, u => u.Id, (b, u) => new { b.UserId, u.UserName, b.Reason, b.BannedById, b.CreatedAt })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(bans.Select(b => new BanResponse(b.UserId, b.UserName!, b.Reason, b.BannedById, b.CreatedAt)).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> BanAsync(
        ServerAccess access, Snowflake userId, BanRequest? request, CurrentUser user, KamaDbContext db, EventLog events, AuditLog audit,
        TimeProvider time, StoredFileCleanup files, CancellationToken cancellationToken)
    {
        var id = access.ServerId;
        if (!await db.Users.AnyAsync(u => u.Id == userId, cancellationToken))
            return Problems.NotFound("The user");
        // A user who is not (or no longer) a member can be banned ahead of time; a member only from above.
        if (userId == access.OwnerId || userId == user.Id ||
            (await db.Members.AnyAsync(m => m.ServerId == id && m.UserId == userId, cancellationToken) &&
             !await Hierarchy.CanManageMemberAsync(db, access, userId, cancellationToken)))
            return ServerProblems.RoleHierarchy();

        await using var change = await events.BeginAsync(cancellationToken);
        var reason = request?.Reason is null ? audit.Reason : RequestText.Cleared(request.Reason);
        var ban = await db.Bans.SingleOrDefaultAsync(b => b.ServerId == id && b.UserId == userId, cancellationToken);
        if (ban is null)
        {
            db.Bans.Add(new Ban { ServerId = id, UserId = userId, Reason = reason, BannedById = user.Id, CreatedAt = time.GetUtcNow() });
            await change.AppendAsync(new BanAdded(id, userId), cancellationToken);
        }
        else
        {
            ban.Reason = reason;
        }
        await MemberEndpoints.RemoveAsync(db, change, id, userId, "banned", reason, cancellationToken);
        var purged = request is { DeleteMessageSeconds: > 0 and var seconds }
            ? await MessagePurge.ByAuthorAsync(db, change, id, userId, time.GetUtcNow().AddSeconds(-seconds), cancellationToken)
            : new PurgedMessages(0, []);
        // The purge reaches every channel of the server, those hidden from the moderator too (a spam purge is meant to,
        // as Discord's is). The entry says the window they asked for, not how many went: whoever reads the log would
        // otherwise learn that the banned member wrote in channels hidden from them, and how much.
        audit.Record(id, AuditActions.MemberBanAdd, userId,
            request is { DeleteMessageSeconds: > 0 and var window } ? [AuditLog.Change("deleteMessageSeconds", null, window)] : null, reason);
        await change.CommitAsync(cancellationToken);
        await files.AttachmentsAsync(purged.AttachmentIds);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> UnbanAsync(
        ServerAccess access, Snowflake userId, KamaDbContext db, EventLog events, AuditLog audit, CancellationToken cancellationToken)
    {
        var id = access.ServerId;
        await using var change = await events.BeginAsync(cancellationToken);
        if (await db.Bans.Where(b => b.ServerId == id && b.UserId == userId).ExecuteDeleteAsync(cancellationToken) == 0)
            return Problems.NotFound("The ban");
        await change.AppendAsync(new BanRemoved(id, userId), cancellationToken);
        audit.Record(id, AuditActions.MemberBanRemove, userId);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
