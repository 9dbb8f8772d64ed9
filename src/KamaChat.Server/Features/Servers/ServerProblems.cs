using KamaChat.Server.Data;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Servers;

/// <summary>The refusals server-side endpoints share beyond missing permissions (<see cref="PermissionProblems"/>), so each has one code and one wording.</summary>
public static class ServerProblems
{
    public static ProblemHttpResult ServerNotFound() => Problems.NotFound("The server");

    public static ProblemHttpResult RoleHierarchy() => Problems.Forbidden("role_hierarchy", RoleHierarchyDetail);

    /// <summary>The text after "role_hierarchy: " in hub errors, and the detail of the 403 problem.</summary>
    public const string RoleHierarchyDetail = "You can only manage roles and members below your highest role.";

    public static ProblemHttpResult OwnerOnly() =>
        Problems.Forbidden("owner_only", "Only the server owner can do this.");
}

/// <summary>Who stands above whom in a server's role hierarchy (the owner above everyone).</summary>
public static class Hierarchy
{
    /// <summary>The position of a member's highest role: 0 with @everyone only, int.MaxValue for the owner.</summary>
    public static async Task<int> TopPositionAsync(KamaDbContext db, ServerAccess server, Snowflake userId, CancellationToken cancellationToken)
    {
        if (userId == server.OwnerId)
            return int.MaxValue;
        return await db.MemberRoles.AsNoTracking()
            .Where(mr => mr.ServerId == server.ServerId && mr.UserId == userId)
            .MaxAsync(mr => (int?)mr.Role.Position, cancellationToken) ?? 0;
    }

    /// <summary>The owner manages everyone; anyone else only members whose highest role is strictly below theirs.</summary>
    public static async Task<bool> CanManageMemberAsync(KamaDbContext db, ServerAccess actor, Snowflake targetUserId, CancellationToken cancellationToken) =>
        actor.IsOwner || actor.HighestRolePosition > await TopPositionAsync(db, actor, targetUserId, cancellationToken);

    public static bool CanManageRole(ServerAccess actor, int rolePosition) => actor.IsOwner || actor.HighestRolePosition > rolePosition;
}
