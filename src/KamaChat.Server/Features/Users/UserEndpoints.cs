using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.ProfileImages;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Users;

/// <summary>The signed-in user's profile and other users' public profiles.</summary>
public static class UserEndpoints
{
    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/users").WithTags("Users").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/@me", GetMeAsync);
        group.MapPatch("/@me", UpdateMeAsync);
        group.MapDelete("/@me", AccountDeletion.DeleteMeAsync)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{id:snowflake}", GetProfileAsync);
        return app;
    }

    private static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> GetMeAsync(
        CurrentUser me, KamaDbContext db, CancellationToken cancellationToken)
    {
        var userId = me.Id;
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        return user is null ? Problems.NotFound("The user") : TypedResults.Ok(MeResponse.From(user));
    }

    private static async Task<Results<Ok<MeResponse>, ValidationProblem, ProblemHttpResult>> UpdateMeAsync(
        UpdateProfileRequest request, CurrentUser me, KamaDbContext db, StoredFileCleanup files, ProfileBroadcast broadcast,
        CancellationToken cancellationToken)
    {
        var userId = me.Id;
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
            return Problems.NotFound("The user");
        // An uploaded avatar's own URL may come back unchanged; any other link must be https.
        if (request.AvatarUrl is { Length: > 0 } avatar && avatar.Trim() != user.AvatarUrl && !RequestText.IsHttpsUrl(avatar))
            return Problems.Validation("avatarUrl", "The avatar URL must be an absolute https URL.");
        var (replacedAvatar, replacedName) = (user.AvatarUrl, user.DisplayName);

        if (request.DisplayName is not null)
            user.DisplayName = RequestText.Cleared(request.DisplayName);
        if (request.Bio is not null)
            user.Bio = RequestText.Cleared(request.Bio);
        if (request.AvatarUrl is not null)
            user.AvatarUrl = RequestText.Cleared(request.AvatarUrl);
        if (request.StatusText is not null)
            user.StatusText = RequestText.Cleared(request.StatusText);
        await ProfileImageEndpoints.SaveReplacingAsync(replacedAvatar, user.AvatarUrl, () => db.SaveChangesAsync(cancellationToken), files);
        // What others show of me (name, picture) changed: they hear it now rather than on their next reload.
        if (user.AvatarUrl != replacedAvatar || user.DisplayName != replacedName)
            await broadcast.SendAsync(user, cancellationToken);
        return TypedResults.Ok(MeResponse.From(user));
    }

    private static async Task<Results<Ok<UserProfileResponse>, ProblemHttpResult>> GetProfileAsync(
        Snowflake id, KamaDbContext db, CancellationToken cancellationToken)
    {
        var profile = await db.Users.AsNoTracking()
            .Where(u => u.Id == id)
            .Select(u => new { u.Id, u.UserName, u.DisplayName, u.AvatarUrl, u.Bio, u.StatusText, u.CreatedAt, u.BannerUrl })
            .SingleOrDefaultAsync(cancellationToken);
        return profile is null
            ? Problems.NotFound("The user")
            : TypedResults.Ok(new UserProfileResponse(profile.Id, profile.UserName!,
                profile.DisplayName, profile.AvatarUrl, profile.Bio, profile.StatusText, profile.CreatedAt, profile.BannerUrl));
    }
}
