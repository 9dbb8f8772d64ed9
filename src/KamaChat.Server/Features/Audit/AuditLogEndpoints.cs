using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.Audit;

/// <summary>A server's audit log, newest first, paged like message history. Needs View Audit Log.</summary>
public static class AuditLogEndpoints
{
    public static IHostApplicationBuilder AddAuditLog(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<AuditLog>();
        builder.Services.AddScoped<AuditLogRetention>();
        builder.Services.AddHostedService<AuditLogSweeper>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAuditLog(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/servers/{id:snowflake}/audit-log", ListAsync).WithTags("Audit log").RequireAuthorization()
            .RequireServerPermission(P.ViewAuditLog).ProducesValidationProblem();
        return app;
    }

    private static async Task<Results<Ok<AuditLogResponse>, ValidationProblem>> ListAsync(
        ServerAccess access, Snowflake? before, [Range(1, 100)] int? limit, Snowflake? userId, string? action, KamaDbContext db,
        CancellationToken cancellationToken)
    {
        if (action is not null && !AuditActions.All.Contains(action))
            return Problems.Validation("action", $"Unknown action; one of: {string.Join(", ", AuditActions.All.Order(StringComparer.Ordinal))}.");

        var query = db.AuditLog.AsNoTracking().Where(e => e.ServerId == access.ServerId);
        if (before is { } cursor)
            query = query.Where(e => e.Id < cursor);
        if (userId is { } actor)
            query = query.Where(e => e.ActorId == actor);
        if (action is not null)
            query = query.Where(e => e.Action == action);
        var rows = await query.OrderByDescending(e => e.Id).Take(limit ?? 50).ToListAsync(cancellationToken);

        // Actors and user targets, so the list can name them without a request per row (Discord does the same).
        var mentioned = rows.Select(e => e.ActorId).Concat(rows.Where(e => e.TargetId is not null).Select(e => e.TargetId!.Value)).Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => mentioned.Contains(u.Id))
            .Select(u => new UserSummary(u.Id, u.UserName!, u.DisplayName, u.AvatarUrl))
            .ToListAsync(cancellationToken);
        var entries = rows.Select(e => new AuditLogEntryResponse(e.Id, e.ActorId, e.Action, e.TargetId, e.Reason,
            JsonSerializer.Deserialize<List<AuditChange>>(e.Changes, AuditLog.Json) ?? [], e.CreatedAt)).ToList();
        return TypedResults.Ok(new AuditLogResponse(entries, users.OrderBy(u => u.Id).ToList()));
    }
}

public sealed record AuditLogEntryResponse(
    Snowflake Id,
    Snowflake ActorId,
    string Action,
    Snowflake? TargetId,
    string? Reason,
    IReadOnlyList<AuditChange> Changes,
    DateTimeOffset CreatedAt);

/// <summary>A page of entries, newest first, and the users they name.</summary>
public sealed record AuditLogResponse(IReadOnlyList<AuditLogEntryResponse> Entries, IReadOnlyList<UserSummary> Users);
