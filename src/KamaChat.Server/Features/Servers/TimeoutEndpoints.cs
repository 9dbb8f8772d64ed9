using KamaChat.Server.Data;
using KamaChat.Server.Features.Audit;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.Servers;

/// <summary>
/// Timeouts (Discord's "communication disabled"): a timed-out member still reads, but cannot send, react or join voice
/// until the time passes. Needs Moderate Members and the role hierarchy; the owner and administrators cannot be timed out.
/// A sub-resource rather than a field of the member PATCH, whose absent nickname means "clear it".
/// </summary>
public static class TimeoutEndpoints
{
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(28);

    public static IEndpointRouteBuilder MapTimeoutEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/servers/{id:snowflake}/members/{userId:snowflake}/timeout").WithTags("Members").RequireAuthorization();
        group.MapPut("/", SetAsync).RequireServerPermission(P.ModerateMembers).ProducesValidationProblem();
        group.MapDelete("/", RemoveAsync).RequireServerPermission(P.ModerateMembers);
        return app;
    }

    private static async Task<Results<Ok<MemberResponse>, ValidationProblem, ProblemHttpResult>> SetAsync(
        ServerAccess access, Snowflake userId, TimeoutRequest request, KamaDbContext db, EventLog events, AuditLog audit, PermissionService permissions,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (request.Until is not { } until || until <= now || until > now + MaxDuration)
            return Problems.Validation("until", $"A timeout ends in the future, at most {MaxDuration.TotalDays} days from now.");
        return await ChangeAsync(access, userId, until, db, events, audit, permissions, cancellationToken);
    }

    private static Task<Results<Ok<MemberResponse>, ValidationProblem, ProblemHttpResult>> RemoveAsync(
        ServerAccess access, Snowflake userId, KamaDbContext db, EventLog events, AuditLog audit, PermissionService permissions,
        CancellationToken cancellationToken) =>
        ChangeAsync(access, userId, until: null, db, events, audit, permissions, cancellationToken);

    private static async Task<Results<Ok<MemberResponse>, ValidationProblem, ProblemHttpResult>> ChangeAsync(
        ServerAccess access, Snowflake userId, DateTimeOffset? until, KamaDbContext db, EventLog events, AuditLog audit, PermissionService permissions,
        CancellationToken cancellationToken)
    {
        var id = access.ServerId;
        if (await permissions.ForServerAsync(userId, id, cancellationToken) is not { } target)
            return Problems.NotFound("The member");
        if (target.IsOwner || !await Hierarchy.CanManageMemberAsync(db, access, userId, cancellationToken))
            return ServerProblems.RoleHierarchy();
        if (target.Has(P.Administrator))
            return Problems.Forbidden("target_is_administrator", "Administrators cannot be timed out.");

        await using var change = await events.BeginAsync(cancellationToken);
        var member = await db.Members.SingleOrDefaultAsync(m => m.ServerId == id && m.UserId == userId, cancellationToken);
        if (member is null)
            return Problems.NotFound("The member");
        member.TimedOutUntil = until;
        if (audit.ChangesOf(member) is { Count: > 0 } changes)
            audit.Record(id, AuditActions.MemberTimeout, userId, changes);
        await db.SaveChangesAsync(cancellationToken);
        var response = (await MemberEndpoints.LoadAsync(db, id, userId, cancellationToken))!;
        await change.AppendAsync(new MemberUpdated(id, response), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.Ok(response);
    }
}
