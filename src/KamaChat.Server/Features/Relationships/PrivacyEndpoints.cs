using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Permissions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Relationships;

/// <summary>Who may DM the caller and ask them to be friends (see <see cref="ContactPolicy"/> for how they apply).</summary>
public static class PrivacyEndpoints
{
    internal static IEndpointRouteBuilder MapPrivacy(this IEndpointRouteBuilder app)
    {
        var privacy = app.MapGroup("/api/v1/users/@me/privacy").WithTags("Friends").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        privacy.MapGet("", GetAsync);
        privacy.MapPatch("", UpdateAsync).ProducesProblem(StatusCodes.Status400BadRequest);
        // A server's choice is the caller's own, for a server they are in: not a member answers 404 like any unseen server.
        privacy.MapPut("/servers/{id:snowflake}", SetServerAsync).RequireServerPermission().ProducesProblem(StatusCodes.Status400BadRequest);
        privacy.MapDelete("/servers/{id:snowflake}", ClearServerAsync).RequireServerPermission();
        return app;
    }

    private static async Task<Ok<PrivacySettingsResponse>> GetAsync(CurrentUser user, KamaDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ReadAsync(db, user.Id, cancellationToken));

    private static Task<Ok<PrivacySettingsResponse>> UpdateAsync(
        UpdatePrivacySettingsRequest request, CurrentUser user, KamaDbContext db, CancellationToken cancellationToken) =>
        ApplyAsync(request, user.Id, db, firstTry: true, cancellationToken);

    private static async Task<Ok<PrivacySettingsResponse>> ApplyAsync(
        UpdatePrivacySettingsRequest request, Snowflake userId, KamaDbContext db, bool firstTry, CancellationToken cancellationToken)
    {
        var row = await db.Set<PrivacySettings>().SingleOrDefaultAsync(p => p.UserId == userId, cancellationToken);
        if (row is null)
            db.Add(row = new PrivacySettings { UserId = userId });
        if (request.AllowDmsFromServerMembers is { } allowDms)
            row.AllowDmsFromServerMembers = allowDms;
        if (request.FriendRequests is { } requests)
        {
            row.FriendRequestsFromEveryone = requests.Everyone;
            // "Everyone" includes the narrower groups, as the settings page shows them.
            row.FriendRequestsFromFriendsOfFriends = requests.Everyone || requests.FriendsOfFriends;
            row.FriendRequestsFromServerMembers = requests.Everyone || requests.ServerMembers;
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (firstTry)
        {
            // Two first saves at once: the other one created the row; apply this one to it.
            db.ChangeTracker.Clear();
            return await ApplyAsync(request, userId, db, firstTry: false, cancellationToken);
        }
        return TypedResults.Ok(await ReadAsync(db, userId, cancellationToken));
    }

    private static async Task<Ok<PrivacySettingsResponse>> SetServerAsync(
        ServerAccess access, ServerPrivacyRequest request, CurrentUser user, KamaDbContext db, CancellationToken cancellationToken)
    {
        var (userId, serverId) = (user.Id, access.ServerId);
        var allow = request.AllowDms!.Value;
        var updated = await db.Set<ServerPrivacy>().Where(s => s.UserId == userId && s.ServerId == serverId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.AllowDms, allow), cancellationToken);
        if (updated == 0)
        {
            db.Add(new ServerPrivacy { UserId = userId, ServerId = serverId, AllowDms = allow });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear();
                await db.Set<ServerPrivacy>().Where(s => s.UserId == userId && s.ServerId == serverId)
                    .ExecuteUpdateAsync(s => s.SetProperty(p => p.AllowDms, allow), cancellationToken);
            }
        }
        return TypedResults.Ok(await ReadAsync(db, userId, cancellationToken));
    }

    /// <summary>The server follows the default again.</summary>
    private static async Task<Ok<PrivacySettingsResponse>> ClearServerAsync(
        ServerAccess access, CurrentUser user, KamaDbContext db, CancellationToken cancellationToken)
    {
        var (userId, serverId) = (user.Id, access.ServerId);
        await db.Set<ServerPrivacy>().Where(s => s.UserId == userId && s.ServerId == serverId).ExecuteDeleteAsync(cancellationToken);
        return TypedResults.Ok(await ReadAsync(db, userId, cancellationToken));
    }

    private static async Task<PrivacySettingsResponse> ReadAsync(KamaDbContext db, Snowflake userId, CancellationToken cancellationToken)
    {
        var row = await db.Set<PrivacySettings>().AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId, cancellationToken) ?? new PrivacySettings();
        // Only servers the user is still in: a choice for a server they left waits, unused, in case they come back.
        var servers = await db.Set<ServerPrivacy>().AsNoTracking()
            .Where(s => s.UserId == userId && db.Members.Any(m => m.UserId == userId && m.ServerId == s.ServerId))
            .OrderBy(s => s.ServerId)
            .Select(s => new ServerPrivacyResponse(s.ServerId, s.AllowDms))
            .ToListAsync(cancellationToken);
        return new PrivacySettingsResponse(
            row.AllowDmsFromServerMembers,
            new FriendRequestPrivacy(row.FriendRequestsFromEveryone, row.FriendRequestsFromFriendsOfFriends, row.FriendRequestsFromServerMembers),
            servers);
    }
}
