using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Gateway;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Infrastructure.Http;
using KamaChat.Server.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Relationships;

/// <summary>Friends, friend requests and blocks: the caller's relationships with other users.</summary>
public static class RelationshipEndpoints
{
    public static IEndpointRouteBuilder MapRelationships(this IEndpointRouteBuilder app)
    {
        var relationships = app.MapGroup("/api/v1/users/@me/relationships").WithTags("Friends").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        relationships.MapGet("", ListAsync);
        relationships.MapPost("", RequestByNameAsync).RequireAccountRateLimit(RateLimitPolicy.FriendRequest)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        relationships.MapPut("/{userId:snowflake}", SetAsync).RequireAccountRateLimit(RateLimitPolicy.FriendRequest)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        relationships.MapDelete("/{userId:snowflake}", RemoveAsync).ProducesProblem(StatusCodes.Status404NotFound);
        app.MapPrivacy();
        return app;
    }

    /// <summary>Everyone the caller has a relationship with: friends (with their presence), requests both ways, blocks.</summary>
    private static async Task<Ok<List<RelationshipResponse>>> ListAsync(
        CurrentUser user, KamaDbContext db, PresenceTracker presence, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var rows = await db.Set<Relationship>().AsNoTracking().Where(r => r.UserId == userId)
            .OrderBy(r => r.OtherUserId)
            .Select(r => new { r.Type, r.Since, User = UserSummary.Of(r.OtherUser.Id, r.OtherUser.UserName, r.OtherUser.DisplayName, r.OtherUser.AvatarUrl) })
            .ToListAsync(cancellationToken);
        var friends = rows.Where(r => r.Type == RelationshipType.Friend).Select(r => r.User.Id).ToList();
        var statuses = friends.Count == 0 ? new Dictionary<Snowflake, string>() : await presence.StatusesAsync(friends);
        return TypedResults.Ok(rows.Select(r => new RelationshipResponse(r.User.Id, RelationshipNames.Of(r.Type), r.User, r.Since,
            r.Type == RelationshipType.Friend ? statuses.GetValueOrDefault(r.User.Id, PresenceStatus.Offline) : null)).ToList());
    }

    private static async Task<Results<Ok<RelationshipResponse>, ValidationProblem, ProblemHttpResult>> RequestByNameAsync(
        FriendRequestRequest request, CurrentUser user, KamaDbContext db, RelationshipChanges changes, CancellationToken cancellationToken)
    {
        var normalized = request.Username.Trim().TrimStart('@').ToUpperInvariant();
        var otherId = await db.Users.AsNoTracking().Where(u => u.NormalizedUserName == normalized && u.Email != null)
            .Select(u => (Snowflake?)u.Id).SingleOrDefaultAsync(cancellationToken);
        if (otherId is null)
            return Problems.Of(StatusCodes.Status404NotFound, "user_not_found", "No one has that username. Check the spelling, capitals aside.");
        return await changes.RequestAsync(user.Id, otherId.Value, cancellationToken);
    }

    private static async Task<Results<Ok<RelationshipResponse>, ValidationProblem, ProblemHttpResult>> SetAsync(
        Snowflake userId, SetRelationshipRequest request, CurrentUser user, KamaDbContext db, RelationshipChanges changes, CancellationToken cancellationToken)
    {
        if (request.Type is not ("friend" or "blocked"))
            return Problems.Validation("type", "Use friend or blocked.");
        if (!await db.Users.AnyAsync(u => u.Id == userId && u.Email != null, cancellationToken))
            return Problems.NotFound("The user");
        return request.Type == "friend"
            ? await changes.RequestAsync(user.Id, userId, cancellationToken)
            : await changes.BlockAsync(user.Id, userId, cancellationToken);
    }

    /// <summary>Declines, cancels, unfriends or unblocks: whatever the caller has with that user ends.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        Snowflake userId, CurrentUser user, RelationshipChanges changes, CancellationToken cancellationToken) =>
        await changes.RemoveAsync(user.Id, userId, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound("The relationship");
}

public static class RelationshipExtensions
{
    public static IHostApplicationBuilder AddRelationships(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<RelationshipChanges>();
        return builder;
    }
}
