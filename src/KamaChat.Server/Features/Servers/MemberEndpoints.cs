using KamaChat.Server.Features.Channels;
using System.ComponentModel.DataAnnotations;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Audit;
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
        var group = app.MapGroup("/api/v1/servers/{id:snowflake}/members").WithTags("Members").RequireAuthorization();
        group.MapGet("/", ListAsync).RequireServerPermission().ProducesValidationProblem();
        group.MapGet("/{userId:snowflake}", GetAsync).RequireServerPermission();
        group.MapDelete("/@me", LeaveAsync).RequireServerPermission().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{userId:snowflake}", KickAsync).RequireServerPermission(P.Kick);
        // Whose nickname decides the permission (CHANGE_NICKNAME for your own, MANAGE_NICKNAMES for others'), so the handler checks it.
        group.MapPatch("/@me", UpdateMeAsync).RequireServerPermission().ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapPatch("/{userId:snowflake}", UpdateAsync).RequireServerPermission().ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static async Task<Ok<List<MemberResponse>>> ListAsync(
        ServerAccess access, Snowflake? after, [Range(1, 100)] int? limit, KamaDbContext db, CancellationToken cancellationToken)
    {
        var members = await Project(db.Members.AsNoTracking()
                .Where(m => m.ServerId == access.ServerId && (after == null || m.UserId > after))
                .OrderBy(m => m.UserId)
                .Take(limit ?? 50))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(members.OrderBy(m => m.UserId).Select(ToResponse).ToList());
    }

    private static async Task<Results<Ok<MemberResponse>, ProblemHttpResult>> GetAsync(
        ServerAccess access, Snowflake userId, KamaDbContext db, CancellationToken cancellationToken)
    {
        var member = await LoadAsync(db, access.ServerId, userId, cancellationToken);
        return member is null ? Problems.NotFound("The member") : TypedResults.Ok(member);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> LeaveAsync(
        ServerAccess access, CurrentUser user, KamaDbContext db, EventLog events, CancellationToken cancellationToken)
    {
        if (access.IsOwner)
            return Problems.Conflict("owner_cannot_leave", "The owner cannot leave the server: transfer it or delete it.");

        await using var change = await events.BeginAsync(cancellationToken);
        await RemoveAsync(db, change, access.ServerId, user.Id, "left", null, cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The reason (X-Audit-Log-Reason) goes to the audit log and to the kicked member's notice.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> KickAsync(
        ServerAccess access, Snowflake userId, KamaDbContext db, EventLog events, AuditLog audit, CancellationToken cancellationToken)
    {
        var id = access.ServerId;
        if (!await db.Members.AnyAsync(m => m.ServerId == id && m.UserId == userId, cancellationToken))
            return Problems.NotFound("The member");
        // The owner passes every hierarchy check, but must not kick themselves out of their own server.
        if (userId == access.OwnerId || !await Hierarchy.CanManageMemberAsync(db, access, userId, cancellationToken))
            return ServerProblems.RoleHierarchy();

        await using var change = await events.BeginAsync(cancellationToken);
        await RemoveAsync(db, change, id, userId, "kicked", audit.Reason, cancellationToken);
        audit.Record(id, AuditActions.MemberKick, userId);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static Task<Results<Ok<MemberResponse>, ValidationProblem, ProblemHttpResult>> UpdateMeAsync(
        ServerAccess access, UpdateMemberRequest request, CurrentUser user, KamaDbContext db, EventLog events, AuditLog audit,
        CancellationToken cancellationToken) =>
        UpdateAsync(access, user.Id, request, user, db, events, audit, cancellationToken);

    private static async Task<Results<Ok<MemberResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        ServerAccess access, Snowflake userId, UpdateMemberRequest request, CurrentUser user, KamaDbContext db, EventLog events,
        AuditLog audit, CancellationToken cancellationToken)
    {
        var id = access.ServerId;
        if (userId == user.Id)
        {
            if (!access.Has(P.ChangeNickname) && !access.Has(P.ManageNicknames))
                return access.Refusal(P.ChangeNickname, P.ManageNicknames);
        }
        else
        {
            if (!access.Has(P.ManageNicknames))
                return access.Refusal(P.ManageNicknames);
            if (!await db.Members.AnyAsync(m => m.ServerId == id && m.UserId == userId, cancellationToken))
                return Problems.NotFound("The member");
            if (!await Hierarchy.CanManageMemberAsync(db, access, userId, cancellationToken))
                return ServerProblems.RoleHierarchy();
        }

        await using var change = await events.BeginAsync(cancellationToken);
        var member = await db.Members.SingleOrDefaultAsync(m => m.ServerId == id && m.UserId == userId, cancellationToken);
        if (member is null)
            return Problems.NotFound("The member");
        member.Nickname = request.Nickname is null ? null : RequestText.Cleared(request.Nickname);
        if (audit.ChangesOf(member) is { Count: > 0 } changes)
            audit.Record(id, AuditActions.MemberUpdate, userId, changes);
        await db.SaveChangesAsync(cancellationToken);
        var response = (await LoadAsync(db, id, userId, cancellationToken))!;
        await change.AppendAsync(new MemberUpdated(id, response), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.Ok(response);
    }

    /// <summary>
    /// Ends a membership (leave, kick or ban) inside the caller's change, with its events. The removed user's event names
    /// the server and carries the moderator's reason, since they can no longer load either.
    /// </summary>
    internal static async Task<bool> RemoveAsync(KamaDbContext db, EventTransaction change, Snowflake serverId, Snowflake userId, string reason,
        string? moderatorReason, CancellationToken cancellationToken)
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
        var serverName = await db.Servers.Where(s => s.Id == serverId).Select(s => s.Name).SingleAsync(cancellationToken);
        await change.AppendAsync(new ServerRemoved(userId, serverId, reason, serverName, moderatorReason), cancellationToken);
        return true;
    }

    public static async Task<MemberResponse?> LoadAsync(KamaDbContext db, Snowflake serverId, Snowflake userId, CancellationToken cancellationToken) =>
        await Project(db.Members.AsNoTracking().Where(m => m.ServerId == serverId && m.UserId == userId))
            .SingleOrDefaultAsync(cancellationToken) is { } row ? ToResponse(row) : null;

    private static MemberResponse ToResponse(MemberRow m) =>
        new(m.ServerId, m.UserId, m.Username, m.DisplayName, m.AvatarUrl, m.Nickname, m.Roles, m.JoinedAt, m.Temporary, m.TimedOutUntil);

    private static IQueryable<MemberRow> Project(IQueryable<Member> members) =>
        members.Select(m => new MemberRow(m.UserId, m.ServerId, m.User.UserName!, m.User.DisplayName, m.User.AvatarUrl, m.Nickname,
                m.Roles.Select(r => r.RoleId).ToList(), m.JoinedAt, m.Temporary, m.TimedOutUntil));

    private sealed record MemberRow(Snowflake UserId, Snowflake ServerId, string Username, string? DisplayName, string? AvatarUrl, string? Nickname,
        List<Snowflake> Roles, DateTimeOffset JoinedAt, bool Temporary, DateTimeOffset? TimedOutUntil);
}
