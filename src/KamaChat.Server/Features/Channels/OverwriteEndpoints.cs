using System.Security.Claims;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.Servers;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.Channels;

/// <summary>A channel's permission overwrites for a role or a member. Needs Manage Roles in that channel.</summary>
public static class OverwriteEndpoints
{
    public static IEndpointRouteBuilder MapOverwriteEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/channels/{id:long}/permissions").WithTags("Channels").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();
        group.MapPut("/{targetType}/{targetId:long}", PutAsync);
        group.MapDelete("/{targetType}/{targetId:long}", DeleteAsync);
        return app;
    }

    private static async Task<Results<Ok<OverwriteResponse>, ValidationProblem, ProblemHttpResult>> PutAsync(
        long id, string targetType, long targetId, OverwriteRequest request, ClaimsPrincipal principal, KamaDbContext db,
        PermissionService permissions, EventLog events, CancellationToken cancellationToken)
    {
        if (ParseTarget(targetType) is not { } target)
            return Problems.Validation("targetType", "The target type is role or member.");
        if (ApiText.ParsePermissions(request.Allow) is not { } allow)
            return Problems.Validation("allow", "Unknown permission bits.");
        if (ApiText.ParsePermissions(request.Deny) is not { } deny)
            return Problems.Validation("deny", "Unknown permission bits.");
        if ((allow & deny) != P.None)
            return Problems.Validation("deny", "A permission cannot be both allowed and denied.");

        var (access, refusal) = await AuthorizeAsync(id, target, targetId, principal, db, permissions, cancellationToken);
        if (refusal is not null)
            return refusal;
        // Like roles: nobody hands out (or takes away) in a channel what they cannot do there themselves.
        if (((allow | deny) & ~access!.Permissions) is not P.None and var lacking)
            return ServerProblems.MissingPermission(lacking);

        await using var change = await events.BeginAsync(cancellationToken);
        var overwrite = await db.PermissionOverwrites
            .SingleOrDefaultAsync(o => o.ChannelId == id && o.TargetType == target && o.TargetId == targetId, cancellationToken);
        if (overwrite is null)
            db.PermissionOverwrites.Add(overwrite = new PermissionOverwrite { ChannelId = id, TargetType = target, TargetId = targetId });
        overwrite.Allow = allow;
        overwrite.Deny = deny;
        await change.AppendAsync(new ChannelUpdated(access.Channel.ServerId!.Value, ChannelResponse.From(access.Channel)), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.Ok(new OverwriteResponse(id.Text(), targetType, targetId.Text(), allow.Text(), deny.Text()));
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(
        long id, string targetType, long targetId, ClaimsPrincipal principal, KamaDbContext db, PermissionService permissions,
        EventLog events, CancellationToken cancellationToken)
    {
        if (ParseTarget(targetType) is not { } target)
            return Problems.Validation("targetType", "The target type is role or member.");
        var (access, refusal) = await AuthorizeAsync(id, target, targetId, principal, db, permissions, cancellationToken);
        if (refusal is not null)
            return refusal;

        await using var change = await events.BeginAsync(cancellationToken);
        if (await db.PermissionOverwrites.Where(o => o.ChannelId == id && o.TargetType == target && o.TargetId == targetId)
                .ExecuteDeleteAsync(cancellationToken) == 0)
            return Problems.NotFound("The overwrite");
        await change.AppendAsync(new ChannelUpdated(access!.Channel.ServerId!.Value, ChannelResponse.From(access.Channel)), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<(ChannelAccess? Access, ProblemHttpResult? Refusal)> AuthorizeAsync(
        long channelId, OverwriteTarget target, long targetId, ClaimsPrincipal principal, KamaDbContext db, PermissionService permissions,
        CancellationToken cancellationToken)
    {
        var access = await permissions.ForChannelAsync(principal.UserId(), channelId, cancellationToken);
        if (access is null || access.Channel.IsPrivate)
            return (null, Problems.NotFound("The channel"));
        if (!access.Has(P.ManageRoles))
            return (null, ServerProblems.MissingPermission(P.ManageRoles));
        var serverId = access.Channel.ServerId!.Value;
        var exists = target == OverwriteTarget.Role
            ? await db.Roles.AnyAsync(r => r.Id == targetId && r.ServerId == serverId, cancellationToken)
            : await db.Members.AnyAsync(m => m.UserId == targetId && m.ServerId == serverId, cancellationToken);
        return exists ? (access, null) : (null, Problems.NotFound(target == OverwriteTarget.Role ? "The role" : "The member"));
    }

    private static OverwriteTarget? ParseTarget(string value) => value switch
    {
        "role" => OverwriteTarget.Role,
        "member" => OverwriteTarget.Member,
        _ => null,
    };
}
