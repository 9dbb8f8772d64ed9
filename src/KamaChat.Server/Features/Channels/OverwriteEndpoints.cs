using KamaChat.Server.Data;
using KamaChat.Server.Features.Audit;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.Servers;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.Channels;

/// <summary>
/// A channel's permission overwrites for a role or a member. Needs Manage Roles in that channel, a target below the
/// caller in the role hierarchy, and no permission the caller lacks there.
/// </summary>
public static class OverwriteEndpoints
{
    public static IEndpointRouteBuilder MapOverwriteEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/channels/{id:snowflake}/permissions").WithTags("Channels").RequireAuthorization();
        group.MapGet("/", ListAsync).RequireChannelPermission(P.ManageRoles, ChannelScope.ServerChannel);
        group.MapPut("/{targetType}/{targetId:snowflake}", PutAsync).RequireChannelPermission(P.ManageRoles, ChannelScope.ServerChannel).ProducesValidationProblem();
        group.MapDelete("/{targetType}/{targetId:snowflake}", DeleteAsync).RequireChannelPermission(P.ManageRoles, ChannelScope.ServerChannel).ProducesValidationProblem();
        return app;
    }

    /// <summary>The channel's overwrites, roles first, for the editor of those who may change them.</summary>
    private static async Task<Ok<List<OverwriteResponse>>> ListAsync(ChannelAccess access, KamaDbContext db, CancellationToken cancellationToken)
    {
        var id = access.ChannelId;
        var overwrites = await db.PermissionOverwrites.AsNoTracking().Where(o => o.ChannelId == id)
            .OrderBy(o => o.TargetType).ThenBy(o => o.TargetId).ToListAsync(cancellationToken);
        return TypedResults.Ok(overwrites
            .Select(o => new OverwriteResponse(id, o.TargetType == OverwriteTarget.Role ? "role" : "member", o.TargetId, o.Allow.Text(), o.Deny.Text()))
            .ToList());
    }

    private static async Task<Results<Ok<OverwriteResponse>, ValidationProblem, ProblemHttpResult>> PutAsync(
        ChannelAccess access, string targetType, Snowflake targetId, OverwriteRequest request, KamaDbContext db, EventLog events,
        AuditLog audit, CancellationToken cancellationToken)
    {
        var checkedOverwrite = await CheckAsync(access.Server!, access.Permissions, targetType, targetId, request, db, cancellationToken);
        if (checkedOverwrite.Invalid is { } invalid)
            return invalid;
        if (checkedOverwrite.Refused is { } refused)
            return refused;
        var (target, allow, deny) = (checkedOverwrite.Target, checkedOverwrite.Allow, checkedOverwrite.Deny);

        var id = access.ChannelId;
        await using var change = await events.BeginAsync(cancellationToken);
        var overwrite = await db.PermissionOverwrites
            .SingleOrDefaultAsync(o => o.ChannelId == id && o.TargetType == target && o.TargetId == targetId, cancellationToken);
        var (oldAllow, oldDeny) = overwrite is null ? ((P?)null, (P?)null) : (overwrite.Allow, overwrite.Deny);
        if (overwrite is null)
            db.PermissionOverwrites.Add(overwrite = new PermissionOverwrite { ChannelId = id, TargetType = target, TargetId = targetId });
        overwrite.Allow = allow;
        overwrite.Deny = deny;
        audit.Record(access.Channel.ServerId!.Value, AuditActions.OverwriteUpdate, id,
            [.. Target(targetType, targetId), AuditLog.Change("allow", oldAllow, allow), AuditLog.Change("deny", oldDeny, deny)]);
        await change.AppendAsync(new ChannelUpdated(access.Channel.ServerId!.Value, await ChannelEndpoints.DescribeAsync(access, db, cancellationToken)), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.Ok(new OverwriteResponse(id, targetType, targetId, allow.Text(), deny.Text()));
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(
        ChannelAccess access, string targetType, Snowflake targetId, KamaDbContext db, EventLog events, AuditLog audit,
        CancellationToken cancellationToken)
    {
        if (ParseTarget(targetType) is not { } target)
            return Problems.Validation("targetType", "The target type is role or member.");
        if (await TargetRefusedAsync(access.Server!, target, targetId, db, cancellationToken) is { } refused)
            return refused;

        var id = access.ChannelId;
        await using var change = await events.BeginAsync(cancellationToken);
        var removed = await db.PermissionOverwrites.AsNoTracking()
            .SingleOrDefaultAsync(o => o.ChannelId == id && o.TargetType == target && o.TargetId == targetId, cancellationToken);
        if (removed is null || await db.PermissionOverwrites.Where(o => o.ChannelId == id && o.TargetType == target && o.TargetId == targetId)
                .ExecuteDeleteAsync(cancellationToken) == 0)
            return Problems.NotFound("The overwrite");
        audit.Record(access.Channel.ServerId!.Value, AuditActions.OverwriteDelete, id,
            [.. Target(targetType, targetId), AuditLog.Change("allow", removed.Allow, null), AuditLog.Change("deny", removed.Deny, null)]);
        await change.AppendAsync(new ChannelUpdated(access.Channel.ServerId!.Value, await ChannelEndpoints.DescribeAsync(access, db, cancellationToken)), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>An overwrite as checked: its parts, or why it is refused (a field error, or 403/404).</summary>
    internal sealed record CheckedOverwrite(
        OverwriteTarget Target, P Allow, P Deny, ValidationProblem? Invalid = null, ProblemHttpResult? Refused = null, Snowflake TargetId = default);

    /// <summary>
    /// The rules every overwrite follows, when it is put on a channel and when a channel is created with it: known bits,
    /// none both allowed and denied, a target below the caller, and nothing the caller cannot do in that channel
    /// (<paramref name="callerPermissions"/>) handed out or taken away.
    /// </summary>
    internal static async Task<CheckedOverwrite> CheckAsync(
        ServerAccess server, P callerPermissions, string targetType, Snowflake targetId, OverwriteRequest request, KamaDbContext db,
        CancellationToken cancellationToken)
    {
        if (ParseTarget(targetType) is not { } target)
            return new(default, P.None, P.None, Invalid: Problems.Validation("targetType", "The target type is role or member."));
        if (PermissionBits.Parse(request.Allow) is not { } allow)
            return new(target, P.None, P.None, Invalid: Problems.Validation("allow", "Unknown permission bits."));
        if (PermissionBits.Parse(request.Deny) is not { } deny)
            return new(target, allow, P.None, Invalid: Problems.Validation("deny", "Unknown permission bits."));
        if ((allow & deny) != P.None)
            return new(target, allow, deny, Invalid: Problems.Validation("deny", "A permission cannot be both allowed and denied."));
        if (await TargetRefusedAsync(server, target, targetId, db, cancellationToken) is { } refused)
            return new(target, allow, deny, Refused: refused);
        // Like roles: nobody hands out (or takes away) in a channel what they cannot do there themselves.
        if (((allow | deny) & ~callerPermissions) is not P.None and var lacking)
            return new(target, allow, deny, Refused: PermissionProblems.MissingPermission(lacking));
        return new(target, allow, deny);
    }

    /// <summary>
    /// An overwrite names a role of the channel's server or one of its members (else 404), below the caller in the role
    /// hierarchy, as for assigning roles (else 403 role_hierarchy): nobody silences, or frees, those at or above them.
    /// </summary>
    private static async Task<ProblemHttpResult?> TargetRefusedAsync(
        ServerAccess server, OverwriteTarget target, Snowflake targetId, KamaDbContext db, CancellationToken cancellationToken)
    {
        var serverId = server.ServerId;
        if (target == OverwriteTarget.Role)
        {
            var position = await db.Roles.Where(r => r.Id == targetId && r.ServerId == serverId).Select(r => (int?)r.Position)
                .SingleOrDefaultAsync(cancellationToken);
            if (position is null)
                return Problems.NotFound("The role");
            return Hierarchy.CanManageRole(server, position.Value) ? null : ServerProblems.RoleHierarchy();
        }
        if (!await db.Members.AnyAsync(m => m.UserId == targetId && m.ServerId == serverId, cancellationToken))
            return Problems.NotFound("The member");
        return await Hierarchy.CanManageMemberAsync(db, server, targetId, cancellationToken) ? null : ServerProblems.RoleHierarchy();
    }

    /// <summary>Which overwrite of the channel (the entry's target) changed.</summary>
    private static AuditChange[] Target(string targetType, Snowflake targetId) =>
        [AuditLog.Change("targetType", null, targetType), AuditLog.Change("targetId", null, targetId)];

    internal static AuditChange[] Target(OverwriteTarget target, Snowflake targetId) =>
        Target(target == OverwriteTarget.Role ? "role" : "member", targetId);

    private static OverwriteTarget? ParseTarget(string value) => value switch
    {
        "role" => OverwriteTarget.Role,
        "member" => OverwriteTarget.Member,
        _ => null,
    };
}
