using System.Security.Claims;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.Servers;

/// <summary>Banning (which also removes the member), unbanning and the ban list. All need the Ban permission.</summary>
public static class BanEndpoints
{
    public static IEndpointRouteBuilder MapBanEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/servers/{id:long}/bans").WithTags("Members").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/", ListAsync);
        group.MapPut("/{userId:long}", BanAsync).ProducesValidationProblem();
        group.MapDelete("/{userId:long}", UnbanAsync);
        return app;
    }

    private static async Task<Results<Ok<List<BanResponse>>, ProblemHttpResult>> ListAsync(
        long id, ClaimsPrincipal principal, KamaDbContext db, PermissionService permissions, CancellationToken cancellationToken)
    {
        var access = await permissions.ForServerAsync(principal.UserId(), id, cancellationToken);
        if (access is null)
            return ServerProblems.ServerNotFound();
        if (!access.Has(P.Ban))
            return ServerProblems.MissingPermission(P.Ban);
        var bans = await db.Bans.AsNoTracking().Where(b => b.ServerId == id)
            .OrderBy(b => b.UserId)
            .Join(db.Users, b => b.UserId, u => u.Id, (b, u) => new { b.UserId, u.UserName, b.Reason, b.BannedById, b.CreatedAt })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(bans.Select(b => new BanResponse(b.UserId.Text(), b.UserName!, b.Reason, b.BannedById.Text(), b.CreatedAt)).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> BanAsync(
        long id, long userId, BanRequest? request, ClaimsPrincipal principal, KamaDbContext db, PermissionService permissions,
        EventLog events, TimeProvider time, CancellationToken cancellationToken)
    {
        var actorId = principal.UserId();
        var access = await permissions.ForServerAsync(actorId, id, cancellationToken);
        if (access is null)
            return ServerProblems.ServerNotFound();
        if (!access.Has(P.Ban))
            return ServerProblems.MissingPermission(P.Ban);
        if (!await db.Users.AnyAsync(u => u.Id == userId, cancellationToken))
            return Problems.NotFound("The user");
        // A user who is not (or no longer) a member can be banned ahead of time; a member only from above.
        if (userId == access.OwnerId || userId == actorId ||
            (await db.Members.AnyAsync(m => m.ServerId == id && m.UserId == userId, cancellationToken) &&
             !await Hierarchy.CanManageMemberAsync(db, access, userId, cancellationToken)))
            return ServerProblems.RoleHierarchy();

        await using var change = await events.BeginAsync(cancellationToken);
        var reason = request?.Reason is null ? null : ApiText.Cleared(request.Reason);
        var ban = await db.Bans.SingleOrDefaultAsync(b => b.ServerId == id && b.UserId == userId, cancellationToken);
        if (ban is null)
        {
            db.Bans.Add(new Ban { ServerId = id, UserId = userId, Reason = reason, BannedById = actorId, CreatedAt = time.GetUtcNow() });
            await change.AppendAsync(new BanAdded(id, userId), cancellationToken);
        }
        else
        {
            ban.Reason = reason;
        }
        await MemberEndpoints.RemoveAsync(db, change, id, userId, "banned", cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> UnbanAsync(
        long id, long userId, ClaimsPrincipal principal, KamaDbContext db, PermissionService permissions, EventLog events,
        CancellationToken cancellationToken)
    {
        var access = await permissions.ForServerAsync(principal.UserId(), id, cancellationToken);
        if (access is null)
            return ServerProblems.ServerNotFound();
        if (!access.Has(P.Ban))
            return ServerProblems.MissingPermission(P.Ban);

        await using var change = await events.BeginAsync(cancellationToken);
        if (await db.Bans.Where(b => b.ServerId == id && b.UserId == userId).ExecuteDeleteAsync(cancellationToken) == 0)
            return Problems.NotFound("The ban");
        await change.AppendAsync(new BanRemoved(id, userId), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
