using KamaChat.Server.Data;
using KamaChat.Server.Features.Audit;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.Servers;

/// <summary>
/// Roles and who has them. Everything needs Manage Roles, and the hierarchy holds: nobody but the owner touches a role
/// at or above their own highest, grants a permission they lack, or manages a member at or above them.
/// </summary>
public static class RoleEndpoints
{
    public static IEndpointRouteBuilder MapRoleEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/servers/{id:snowflake}").WithTags("Roles").RequireAuthorization();
        group.MapGet("/roles", ListAsync).RequireServerPermission();
        group.MapPost("/roles", CreateAsync).RequireServerPermission(P.ManageRoles).ProducesValidationProblem();
        group.MapPatch("/roles/positions", ReorderAsync).RequireServerPermission(P.ManageRoles).ProducesValidationProblem();
        group.MapPatch("/roles/{roleId:snowflake}", UpdateAsync).RequireServerPermission(P.ManageRoles).ProducesValidationProblem();
        group.MapDelete("/roles/{roleId:snowflake}", DeleteAsync).RequireServerPermission(P.ManageRoles).ProducesValidationProblem();
        group.MapPut("/members/{userId:snowflake}/roles/{roleId:snowflake}", AssignAsync).RequireServerPermission(P.ManageRoles).ProducesValidationProblem();
        group.MapDelete("/members/{userId:snowflake}/roles/{roleId:snowflake}", UnassignAsync).RequireServerPermission(P.ManageRoles).ProducesValidationProblem();
        return app;
    }

    private static async Task<Ok<List<RoleResponse>>> ListAsync(ServerAccess access, KamaDbContext db, CancellationToken cancellationToken)
    {
        var roles = await db.Roles.AsNoTracking().Where(r => r.ServerId == access.ServerId).OrderBy(r => r.Position).ThenBy(r => r.Id)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(roles.Select(ToResponse).ToList());
    }

    private static async Task<Results<Created<RoleResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        ServerAccess access, CreateRoleRequest request, KamaDbContext db, EventLog events, AuditLog audit, SnowflakeGenerator ids,
        CancellationToken cancellationToken)
    {
        var name = request.Name.Trim();
        if (name.Length == 0)
            return Problems.Validation("name", "The name must not be blank.");
        if (PermissionBits.Parse(request.Permissions ?? "0") is not { } granted)
            return Problems.Validation("permissions", "Unknown permission bits.");

        var id = access.ServerId;
        // A new role goes to the bottom (position 1), so it is below its creator's highest role unless that is @everyone.
        if (!Hierarchy.CanManageRole(access, 1))
            return ServerProblems.RoleHierarchy();
        if ((granted & ~access.Permissions) is not P.None and var lacking)
            return PermissionProblems.MissingPermission(lacking);

        await using var change = await events.BeginAsync(cancellationToken);
        var shifted = await db.Roles.Where(r => r.ServerId == id && r.Id != id).ToListAsync(cancellationToken);
        foreach (var other in shifted)
            other.Position++;
        var role = new Role { Id = ids.NextId(), ServerId = id, Name = name, Permissions = granted, Color = request.Color, Position = 1, Mentionable = request.Mentionable, Hoist = request.Hoist };
        db.Roles.Add(role);
        audit.Record(id, AuditActions.RoleCreate, role.Id, audit.ChangesOf(role));
        foreach (var other in shifted)
            await change.AppendAsync(new RoleUpdated(id, ToResponse(other)), cancellationToken);
        await change.AppendAsync(new RoleCreated(id, ToResponse(role)), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/servers/{id}/roles/{role.Id}", ToResponse(role));
    }

    private static async Task<Results<Ok<RoleResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        ServerAccess access, Snowflake roleId, UpdateRoleRequest request, KamaDbContext db, EventLog events, AuditLog audit,
        CancellationToken cancellationToken)
    {
        if (request.Name is not null && request.Name.Trim().Length == 0)
            return Problems.Validation("name", "The name must not be blank.");
        P? granted = null;
        if (request.Permissions is not null && (granted = PermissionBits.Parse(request.Permissions)) is null)
            return Problems.Validation("permissions", "Unknown permission bits.");

        var id = access.ServerId;
        await using var change = await events.BeginAsync(cancellationToken);
        var role = await db.Roles.SingleOrDefaultAsync(r => r.Id == roleId && r.ServerId == id, cancellationToken);
        if (role is null)
            return Problems.NotFound("The role");
        if (!Hierarchy.CanManageRole(access, role.Position))
            return ServerProblems.RoleHierarchy();
        if (role.IsEveryone && request.Name is not null && request.Name.Trim() != Role.EveryoneName)
            return Problems.Validation("name", "The @everyone role cannot be renamed.");
        if (granted is { } newPermissions && (newPermissions & ~role.Permissions & ~access.Permissions) is not P.None and var lacking)
            return PermissionProblems.MissingPermission(lacking);

        if (request.Name is not null)
            role.Name = request.Name.Trim();
        if (granted is { } permissionsToSet)
            role.Permissions = permissionsToSet;
        if (request.Color is { } color)
            role.Color = color;
        if (request.Mentionable is { } mentionable)
            role.Mentionable = mentionable;
        if (request.Hoist is { } hoist)
            role.Hoist = hoist;
        if (audit.ChangesOf(role) is { Count: > 0 } changes)
            audit.Record(id, AuditActions.RoleUpdate, roleId, changes);
        await change.AppendAsync(new RoleUpdated(id, ToResponse(role)), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(role));
    }

    private static async Task<Results<Ok<List<RoleResponse>>, ValidationProblem, ProblemHttpResult>> ReorderAsync(
        ServerAccess access, List<PositionRequest> request, KamaDbContext db, EventLog events, AuditLog audit, CancellationToken cancellationToken)
    {
        if (request.Count is 0 or > 250 || request.Select(r => r.Id).Distinct().Count() != request.Count)
            return Problems.Validation("positions", "Send 1..250 roles, each once.");
        if (request.Any(r => r.Position < 1 || r.ParentId is not null))
            return Problems.Validation("positions", "Role positions start at 1 (@everyone stays at 0); roles have no parent.");

        var id = access.ServerId;
        await using var change = await events.BeginAsync(cancellationToken);
        var roles = await db.Roles.Where(r => r.ServerId == id && r.Id != id).ToListAsync(cancellationToken);
        var byId = roles.ToDictionary(r => r.Id);
        foreach (var move in request)
        {
            if (!byId.TryGetValue(move.Id, out var role))
                return Problems.NotFound("The role");
            if (!Hierarchy.CanManageRole(access, role.Position) || !Hierarchy.CanManageRole(access, move.Position))
                return ServerProblems.RoleHierarchy();
        }

        // Renumber 1..n in the requested order, ties broken by the old order, so positions stay dense and unique.
        var wanted = request.ToDictionary(r => r.Id, r => r.Position);
        var ordered = roles.OrderBy(r => wanted.GetValueOrDefault(r.Id, r.Position)).ThenBy(r => r.Position).ThenBy(r => r.Id).ToList();
        for (var i = 0; i < ordered.Count; i++)
        {
            if (ordered[i].Position == i + 1)
                continue;
            ordered[i].Position = i + 1;
            audit.Record(id, AuditActions.RoleUpdate, ordered[i].Id, audit.ChangesOf(ordered[i]));
            await change.AppendAsync(new RoleUpdated(id, ToResponse(ordered[i])), cancellationToken);
        }
        await change.CommitAsync(cancellationToken);
        var everyone = await db.Roles.AsNoTracking().SingleAsync(r => r.Id == id, cancellationToken);
        return TypedResults.Ok(ordered.Prepend(everyone).Select(ToResponse).ToList());
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(
        ServerAccess access, Snowflake roleId, KamaDbContext db, EventLog events, AuditLog audit, CancellationToken cancellationToken)
    {
        var id = access.ServerId;
        if (roleId == id)
            return Problems.Validation("roleId", "The @everyone role cannot be deleted.");

        await using var change = await events.BeginAsync(cancellationToken);
        var role = await db.Roles.AsNoTracking().SingleOrDefaultAsync(r => r.Id == roleId && r.ServerId == id, cancellationToken);
        if (role is null)
            return Problems.NotFound("The role");
        if (!Hierarchy.CanManageRole(access, role.Position))
            return ServerProblems.RoleHierarchy();
        // Member roles cascade; overwrites name their target without a foreign key, so they go explicitly.
        await db.PermissionOverwrites.Where(o => o.TargetType == OverwriteTarget.Role && o.TargetId == roleId).ExecuteDeleteAsync(cancellationToken);
        await db.Roles.Where(r => r.Id == roleId).ExecuteDeleteAsync(cancellationToken);
        audit.Record(id, AuditActions.RoleDelete, roleId, audit.Snapshot(role, created: false));
        await change.AppendAsync(new RoleDeleted(id, roleId), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> AssignAsync(
        ServerAccess access, Snowflake userId, Snowflake roleId, KamaDbContext db, EventLog events, AuditLog audit, SnowflakeGenerator ids,
        CancellationToken cancellationToken) =>
        ChangeMemberRoleAsync(access, userId, roleId, assign: true, db, events, audit, ids, cancellationToken);

    private static Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> UnassignAsync(
        ServerAccess access, Snowflake userId, Snowflake roleId, KamaDbContext db, EventLog events, AuditLog audit, SnowflakeGenerator ids,
        CancellationToken cancellationToken) =>
        ChangeMemberRoleAsync(access, userId, roleId, assign: false, db, events, audit, ids, cancellationToken);

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangeMemberRoleAsync(
        ServerAccess access, Snowflake userId, Snowflake roleId, bool assign, KamaDbContext db, EventLog events, AuditLog audit,
        SnowflakeGenerator ids, CancellationToken cancellationToken)
    {
        var id = access.ServerId;
        if (roleId == id)
            return Problems.Validation("roleId", "Every member has the @everyone role; it is not assigned.");
        var role = await db.Roles.AsNoTracking().SingleOrDefaultAsync(r => r.Id == roleId && r.ServerId == id, cancellationToken);
        if (role is null)
            return Problems.NotFound("The role");
        if (!await db.Members.AnyAsync(m => m.ServerId == id && m.UserId == userId, cancellationToken))
            return Problems.NotFound("The member");
        if (!Hierarchy.CanManageRole(access, role.Position) || !await Hierarchy.CanManageMemberAsync(db, access, userId, cancellationToken))
            return ServerProblems.RoleHierarchy();

        await using var change = await events.BeginAsync(cancellationToken);
        var has = await db.MemberRoles.AnyAsync(mr => mr.ServerId == id && mr.UserId == userId && mr.RoleId == roleId, cancellationToken);
        if (has == assign)
            return TypedResults.NoContent();
        if (assign)
            // Issued inside the change, as a join's position is: the role's mentions count for them from here on.
            db.MemberRoles.Add(new MemberRole { ServerId = id, UserId = userId, RoleId = roleId, GrantPosition = ids.NextId() });
        else
            await db.MemberRoles.Where(mr => mr.ServerId == id && mr.UserId == userId && mr.RoleId == roleId).ExecuteDeleteAsync(cancellationToken);
        // Discord's $add / $remove: which role, by id and by its name then.
        audit.Record(id, AuditActions.MemberRoleUpdate, userId,
            [assign ? AuditLog.Change("roleAdded", null, roleId) : AuditLog.Change("roleRemoved", roleId, null), AuditLog.Change("roleName", role.Name, role.Name)]);
        await db.SaveChangesAsync(cancellationToken);
        var member = (await MemberEndpoints.LoadAsync(db, id, userId, cancellationToken))!;
        await change.AppendAsync(new MemberUpdated(id, member), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static RoleResponse ToResponse(Role r) =>
        new(r.Id, r.ServerId, r.Name, r.Permissions.Text(), r.Color, r.Position, r.Mentionable, r.Hoist);
}
