using System.Globalization;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Servers;

/// <summary>The refusals every server-side endpoint shares, so each has one code and one wording.</summary>
public static class ServerProblems
{
    public static ProblemHttpResult ServerNotFound() => Problems.NotFound("The server");

    public static ProblemHttpResult MissingPermission(Permissions.Permissions needed) =>
        Problems.Of(StatusCodes.Status403Forbidden, "missing_permission", $"You need the {needed} permission for this.",
            new Dictionary<string, object?> { ["permission"] = needed.ToString() });

    public static ProblemHttpResult RoleHierarchy() =>
        Problems.Forbidden("role_hierarchy", "You can only manage roles and members below your highest role.");

    public static ProblemHttpResult OwnerOnly() =>
        Problems.Forbidden("owner_only", "Only the server owner can do this.");
}

/// <summary>Who stands above whom in a server's role hierarchy (the owner above everyone).</summary>
public static class Hierarchy
{
    /// <summary>The position of a member's highest role: 0 with @everyone only, int.MaxValue for the owner.</summary>
    public static async Task<int> TopPositionAsync(KamaDbContext db, ServerAccess server, long userId, CancellationToken cancellationToken)
    {
        if (userId == server.OwnerId)
            return int.MaxValue;
        return await db.MemberRoles.AsNoTracking()
            .Where(mr => mr.ServerId == server.ServerId && mr.UserId == userId)
            .MaxAsync(mr => (int?)mr.Role.Position, cancellationToken) ?? 0;
    }

    /// <summary>The owner manages everyone; anyone else only members whose highest role is strictly below theirs.</summary>
    public static async Task<bool> CanManageMemberAsync(KamaDbContext db, ServerAccess actor, long targetUserId, CancellationToken cancellationToken) =>
        actor.IsOwner || actor.HighestRolePosition > await TopPositionAsync(db, actor, targetUserId, cancellationToken);

    public static bool CanManageRole(ServerAccess actor, int rolePosition) => actor.IsOwner || actor.HighestRolePosition > rolePosition;
}

/// <summary>Snowflakes and permission bitfields travel as decimal strings (JavaScript numbers lose precision above 2^53).</summary>
public static class ApiText
{
    public const string PermissionsPattern = "^[0-9]{1,19}$";

    public static string Text(this long id) => id.ToString(CultureInfo.InvariantCulture);

    public static string? Text(this long? id) => id?.ToString(CultureInfo.InvariantCulture);

    public static string Text(this Permissions.Permissions permissions) => ((long)permissions).ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses a permission string; null when it is not a number or names bits that are not permissions.</summary>
    public static Permissions.Permissions? ParsePermissions(string? value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bits) && (bits & ~(long)Permissions.Permissions.All) == 0
            ? (Permissions.Permissions)bits
            : null;

    /// <summary>Whitespace-only means "clear this field".</summary>
    public static string? Cleared(string value) => value.Trim() is { Length: > 0 } trimmed ? trimmed : null;

    public static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
