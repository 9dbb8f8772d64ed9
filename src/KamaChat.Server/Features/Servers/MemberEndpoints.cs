using KamaChat.Server.Features.Channels;
using System.ComponentModel.DataAnnotations;
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

/// <summary>A server's member list, leaving, kicking and nicknames.</summary>
public static class MemberEndpoints
{
    public static IEndpointRouteBuilder MapMemberEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/servers/{id:long}/members").WithTags("Members").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/", ListAsync).ProducesValidationProblem();
        group.MapGet("/{userId:long}", GetAsync);
        group.MapDelete("/@me", LeaveAsync).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{userId:long}", KickAsync).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapPatch("/@me", UpdateMeAsync).ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapPatch("/{userId:long}", UpdateAsync).ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static async Task<Results<Ok<List<MemberResponse>>, ProblemHttpResult>> ListAsync(
        long id, long? after, [Range(1, 100)] int? limit, ClaimsPrincipal principal, KamaDbContext db, PermissionService permissions,
        CancellationToken cancellationToken)
    {
        if (await permissions.ForServerAsync(principal.UserId(), id, cancellationToken) is null)
            return ServerProblems.ServerNotFound();
        var members = await Project(db.Members.AsNoTracking()
                .Where(m => m.ServerId == id && (after == null || m.UserId > after))
                .OrderBy(m => m.UserId)
                .Take(limit ?? 50))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(members.OrderBy(m => m.UserId).Select(ToResponse).ToList());
    }

    private static async Task<Results<Ok<MemberResponse>, ProblemHttpResult>> GetAsync(
        long id, long userId, ClaimsPrincipal principal, KamaDbContext db, PermissionService permissions, CancellationToken cancellationToken)
    {
        if (await permissions.ForServerAsync(principal.UserId(), id, cancellationToken) is null)
            return ServerProblems.ServerNotFound();
        var member = await LoadAsync(db, id, userId, cancellationToken);
        return member is null ? Problems.NotFound("The member") : TypedResults.Ok(member);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> LeaveAsync(
        long id, ClaimsPrincipal principal, KamaDbContext db, PermissionService permissions, EventLog events, CancellationToken cancellationToken)
    {
        var userId = principal.UserId();
        var access = await permissions.ForServerAsync(userId, id, cancellationToken);
        if (access is null)
            return ServerProblems.ServerNotFound();
        if (access.IsOwner)
            return Problems.Conflict("owner_cannot_leave", "The owner cannot leave the server: transfer it or delete it.");

        await using var change = await events.BeginAsync(cancellationToken);
        await RemoveAsync(db, change, id, userId, "left", cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> KickAsync(
        long id, long userId, ClaimsPrincipal principal, KamaDbContext db, PermissionService permissions, EventLog events,
        CancellationToken cancellationToken)
    {
        var access = await permissions.ForServerAsync(principal.UserId(), id, cancellationToken);
        if (access is null)
            return ServerProblems.ServerNotFound();
        if (!access.Has(P.Kick))
            return ServerProblems.MissingPermission(P.Kick);
        if (!await db.Members.AnyAsync(m => m.ServerId == id && m.UserId == userId, cancellationToken))
            return Problems.NotFound("The member");
        // The owner passes every hierarchy check, but must not kick themselves out of their own server.
        if (userId == access.OwnerId || !await Hierarchy.CanManageMemberAsync(db, access, userId, cancellationToken))
            return ServerProblems.RoleHierarchy();

        await using var change = await events.BeginAsync(cancellationToken);
        await RemoveAsync(db, change, id, userId, "kicked", cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static Task<Results<Ok<MemberResponse>, ValidationProblem, ProblemHttpResult>> UpdateMeAsync(
        long id, UpdateMemberRequest request, ClaimsPrincipal principal, KamaDbContext db, PermissionService permissions, EventLog events,
        CancellationToken cancellationToken) =>
        UpdateAsync(id, principal.UserId(), request, principal, db, permissions, events, cancellationToken);

    private static async Task<Results<Ok<MemberResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        long id, long userId, UpdateMemberRequest request, ClaimsPrincipal principal, KamaDbContext db, PermissionService permissions,
        EventLog events, CancellationToken cancellationToken)
    {
        var actorId = principal.UserId();
        var access = await permissions.ForServerAsync(actorId, id, cancellationToken);
        if (access is null)
            return ServerProblems.ServerNotFound();
        if (userId == actorId)
        {
            if (!access.Has(P.ChangeNickname) && !access.Has(P.ManageNicknames))
                return ServerProblems.MissingPermission(P.ChangeNickname);
        }
        else
        {
            if (!access.Has(P.ManageNicknames))
                return ServerProblems.MissingPermission(P.ManageNicknames);
            if (!await db.Members.AnyAsync(m => m.ServerId == id && m.UserId == userId, cancellationToken))
                return Problems.NotFound("The member");
            if (!await Hierarchy.CanManageMemberAsync(db, access, userId, cancellationToken))
                return ServerProblems.RoleHierarchy();
        }

        await using var change = await events.BeginAsync(cancellationToken);
        var member = await db.Members.SingleOrDefaultAsync(m => m.ServerId == id && m.UserId == userId, cancellationToken);
        if (member is null)
            return Problems.NotFound("The member");
        member.Nickname = request.Nickname is null ? null : ApiText.Cleared(request.Nickname);
        await db.SaveChangesAsync(cancellationToken);
        var response = (await LoadAsync(db, id, userId, cancellationToken))!;
        await change.AppendAsync(new MemberUpdated(id, response), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.Ok(response);
    }

    /// <summary>Ends a membership (leave, kick or ban) inside the caller's change, with its events.</summary>
    internal static async Task<bool> RemoveAsync(KamaDbContext db, EventTransaction change, long serverId, long userId, string reason,
        CancellationToken cancellationToken)
    {
        // Member roles go with the member row (cascade).
        var removed = await db.Members.Where(m => m.ServerId == serverId && m.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        if (removed == 0)
            return false;
        // Their channel overwrites go too: a kicked or banned member who comes back must not regain special access.
        await db.PermissionOverwrites
            .Where(o => o.TargetType == OverwriteTarget.Member && o.TargetId == userId && db.Channels.Any(c => c.Id == o.ChannelId && c.ServerId == serverId))
            .ExecuteDeleteAsync(cancellationToken);
        await change.AppendAsync(new MemberLeft(serverId, userId, reason), cancellationToken);
        await change.AppendAsync(new ServerRemoved(userId, serverId, reason), cancellationToken);
        return true;
    }

    public static async Task<MemberResponse?> LoadAsync(KamaDbContext db, long serverId, long userId, CancellationToken cancellationToken) =>
        await Project(db.Members.AsNoTracking().Where(m => m.ServerId == serverId && m.UserId == userId))
            .SingleOrDefaultAsync(cancellationToken) is { } row ? ToResponse(row) : null;

    private static MemberResponse ToResponse(MemberRow m) =>
        new(m.ServerId.Text(), m.UserId.Text(), m.Username, m.DisplayName, m.AvatarUrl, m.Nickname,
            m.Roles.Select(r => r.Text()).ToList(), m.JoinedAt, m.Temporary);

    private static IQueryable<MemberRow> Project(IQueryable<Member> members) =>
        members.Select(m => new MemberRow(m.UserId, m.ServerId, m.User.UserName!, m.User.DisplayName, m.User.AvatarUrl, m.Nickname,
                m.Roles.Select(r => r.RoleId).ToList(), m.JoinedAt, m.Temporary));

    private sealed record MemberRow(long UserId, long ServerId, string Username, string? DisplayName, string? AvatarUrl, string? Nickname,
        List<long> Roles, DateTimeOffset JoinedAt, bool Temporary);
}
