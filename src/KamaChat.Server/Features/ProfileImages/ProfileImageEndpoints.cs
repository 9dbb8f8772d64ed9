using System.Security.Cryptography;
using System.Text;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Audit;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.Servers;
using KamaChat.Server.Features.Users;
using KamaChat.Server.Infrastructure.Http;
using KamaChat.Server.Infrastructure.Media;
using KamaChat.Server.Infrastructure.RateLimiting;
using KamaChat.Server.Infrastructure.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.ProfileImages;

/// <summary>
/// Uploading avatars, server icons and banners (<c>PUT</c> with the image as the body, an optional crop as <c>x</c>,
/// <c>y</c>, <c>size</c> in pixels of the upright image), removing them, and serving their renditions.
/// </summary>
/// <remarks>
/// The renditions are served without sign-in and cached by anyone for good, unlike attachments: a picture is shown to
/// everyone who shares a server or a DM with its owner, and in invite previews and e-mails, where no signed URL would
/// stay valid. What keeps it from strangers is the 128-bit random folder in its URL, which only someone shown the
/// picture learns; a new picture gets a new folder and the old one's files are deleted.
/// </remarks>
public static class ProfileImageEndpoints
{
    public static IHostApplicationBuilder AddProfileImages(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ProfileImageStore>();
        builder.Services.AddScoped<ProfileBroadcast>();
        return builder;
    }

    public static IEndpointRouteBuilder MapProfileImages(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/v1/users/@me").WithTags("Users").RequireAuthorization();
        me.MapPut("/avatar", PutAvatarAsync).RequireAccountRateLimit(RateLimitPolicy.Upload).Accepts<Stream>("application/octet-stream")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        me.MapDelete("/avatar", DeleteAvatarAsync);
        me.MapPut("/banner", PutBannerAsync).RequireAccountRateLimit(RateLimitPolicy.Upload).Accepts<Stream>("application/octet-stream")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        me.MapDelete("/banner", DeleteBannerAsync);

        var server = app.MapGroup("/api/v1/servers/{id:snowflake}").WithTags("Servers").RequireAuthorization();
        server.MapPut("/icon", PutIconAsync).RequireServerPermission(Perms.ManageServer).RequireAccountRateLimit(RateLimitPolicy.Upload)
            .Accepts<Stream>("application/octet-stream").ProducesValidationProblem().ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        server.MapDelete("/icon", DeleteIconAsync).RequireServerPermission(Perms.ManageServer);
        server.MapPut("/banner", PutServerBannerAsync).RequireServerPermission(Perms.ManageServer).RequireAccountRateLimit(RateLimitPolicy.Upload)
            .Accepts<Stream>("application/octet-stream").ProducesValidationProblem().ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        server.MapDelete("/banner", DeleteServerBannerAsync).RequireServerPermission(Perms.ManageServer);

        app.MapMethods(ProfileImageStore.BasePath + "{folder}/{ownerId}/{version}/{file}", [HttpMethods.Get, HttpMethods.Head], ServeAsync)
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>What changing one of the user's own pictures needs besides the request.</summary>
    internal readonly record struct UserChange(
        CurrentUser Me, [property: FromServices] KamaDbContext Db, [property: FromServices] StoredFileCleanup Files, [property: FromServices] ProfileBroadcast Broadcast);

    private static Task<Results<Ok<MeResponse>, ValidationProblem, ProblemHttpResult>> PutAvatarAsync(
        [AsParameters] CropQuery query, HttpContext http, ProfileImageStore store, [AsParameters] UserChange change, CancellationToken cancellationToken) =>
        PutUserPictureAsync(ProfileImageKind.Avatar, query, http, store, change, cancellationToken);

    private static Task<Results<Ok<MeResponse>, ValidationProblem, ProblemHttpResult>> PutBannerAsync(
        [AsParameters] CropQuery query, HttpContext http, ProfileImageStore store, [AsParameters] UserChange change, CancellationToken cancellationToken) =>
        PutUserPictureAsync(ProfileImageKind.UserBanner, query, http, store, change, cancellationToken);

    private static Task<Results<Ok<MeResponse>, ProblemHttpResult>> DeleteAvatarAsync([AsParameters] UserChange change, CancellationToken cancellationToken) =>
        DeleteUserPictureAsync(ProfileImageKind.Avatar, change, cancellationToken);

    private static Task<Results<Ok<MeResponse>, ProblemHttpResult>> DeleteBannerAsync([AsParameters] UserChange change, CancellationToken cancellationToken) =>
        DeleteUserPictureAsync(ProfileImageKind.UserBanner, change, cancellationToken);

    private static async Task<Results<Ok<MeResponse>, ValidationProblem, ProblemHttpResult>> PutUserPictureAsync(
        ProfileImageKind kind, CropQuery query, HttpContext http, ProfileImageStore store, UserChange services, CancellationToken cancellationToken)
    {
        if (!query.TryRead(out var crop, out var invalid))
            return invalid;
        var userId = services.Me.Id;
        var outcome = await store.StoreAsync(kind, userId, http.Request, crop, cancellationToken);
        if (outcome.Problem is { } refused)
            return refused;
        var user = await services.Db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            await services.Files.PrefixesAsync(ProfileImageStore.PrefixOf(outcome.Url));
            return Problems.NotFound("The user");
        }
        await SetUserPictureAsync(kind, user, outcome.Url, services, cancellationToken);
        return TypedResults.Ok(MeResponse.From(user));
    }

    private static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> DeleteUserPictureAsync(ProfileImageKind kind, UserChange services,
        CancellationToken cancellationToken)
    {
        var userId = services.Me.Id;
        var user = await services.Db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
            return Problems.NotFound("The user");
        await SetUserPictureAsync(kind, user, null, services, cancellationToken);
        return TypedResults.Ok(MeResponse.From(user));
    }

    private static async Task SetUserPictureAsync(ProfileImageKind kind, User user, string? url, UserChange services, CancellationToken cancellationToken)
    {
        var replaced = kind.Banner ? user.BannerUrl : user.AvatarUrl;
        if (kind.Banner)
            user.BannerUrl = url;
        else
            user.AvatarUrl = url;
        await SaveReplacingAsync(replaced, url, () => services.Db.SaveChangesAsync(cancellationToken), services.Files);
        if (replaced != url)
            await services.Broadcast.SendAsync(user, cancellationToken);
    }

    private static Task<Results<Ok<ServerResponse>, ValidationProblem, ProblemHttpResult>> PutIconAsync(ServerAccess access, [AsParameters] CropQuery query,
        HttpContext http, ProfileImageStore store, [AsParameters] ServerChange change, CancellationToken cancellationToken) =>
        PutServerPictureAsync(ProfileImageKind.ServerIcon, access, query, http, store, change, cancellationToken);

    private static Task<Results<Ok<ServerResponse>, ValidationProblem, ProblemHttpResult>> PutServerBannerAsync(ServerAccess access,
        [AsParameters] CropQuery query, HttpContext http, ProfileImageStore store, [AsParameters] ServerChange change, CancellationToken cancellationToken) =>
        PutServerPictureAsync(ProfileImageKind.ServerBanner, access, query, http, store, change, cancellationToken);

    private static async Task<Ok<ServerResponse>> DeleteIconAsync(ServerAccess access, [AsParameters] ServerChange change, CancellationToken cancellationToken) =>
        TypedResults.Ok(await SetServerPictureAsync(ProfileImageKind.ServerIcon, access.ServerId, null, change, cancellationToken));

    private static async Task<Ok<ServerResponse>> DeleteServerBannerAsync(ServerAccess access, [AsParameters] ServerChange change,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await SetServerPictureAsync(ProfileImageKind.ServerBanner, access.ServerId, null, change, cancellationToken));

    private static async Task<Results<Ok<ServerResponse>, ValidationProblem, ProblemHttpResult>> PutServerPictureAsync(ProfileImageKind kind,
        ServerAccess access, CropQuery query, HttpContext http, ProfileImageStore store, ServerChange change, CancellationToken cancellationToken)
    {
        if (!query.TryRead(out var crop, out var invalid))
            return invalid;
        var outcome = await store.StoreAsync(kind, access.ServerId, http.Request, crop, cancellationToken);
        if (outcome.Problem is { } refused)
            return refused;
        return TypedResults.Ok(await SetServerPictureAsync(kind, access.ServerId, outcome.Url, change, cancellationToken));
    }

    /// <summary>What changing a server's picture needs besides the request.</summary>
    internal readonly record struct ServerChange(
        [property: FromServices] KamaDbContext Db, [property: FromServices] EventLog Events, [property: FromServices] AuditLog Audit, [property: FromServices] StoredFileCleanup Files);

    private static async Task<ServerResponse> SetServerPictureAsync(ProfileImageKind kind, Snowflake serverId, string? url, ServerChange services,
        CancellationToken cancellationToken)
    {
        var (db, events, audit, files) = services;
        await using var change = await events.BeginAsync(cancellationToken);
        var server = await db.Servers.SingleAsync(s => s.Id == serverId, cancellationToken);
        var replaced = kind.Banner ? server.BannerUrl : server.IconUrl;
        if (kind.Banner)
            server.BannerUrl = url;
        else
            server.IconUrl = url;
        if (audit.ChangesOf(server) is { Count: > 0 } changes)
            audit.Record(serverId, AuditActions.ServerUpdate, serverId, changes);
        var response = ServerEndpoints.ToResponse(server, await db.Members.CountAsync(m => m.ServerId == serverId, cancellationToken));
        await change.AppendAsync(new ServerUpdated(serverId, response), cancellationToken);
        await SaveReplacingAsync(replaced, url, () => change.CommitAsync(cancellationToken), files);
        return response;
    }

    /// <summary>
    /// Saves a picture change: when the save fails the new picture's files go (no files without a row pointing at
    /// them); when it succeeds the replaced picture's files are deleted by a job, which retries until storage answers.
    /// </summary>
    internal static async Task SaveReplacingAsync(string? replaced, string? current, Func<Task> save, StoredFileCleanup files)
    {
        var (old, fresh) = (ProfileImageStore.PrefixOf(replaced), ProfileImageStore.PrefixOf(current));
        if (old == fresh)
        {
            await save();
            return;
        }
        try
        {
            await save();
        }
        catch
        {
            await files.PrefixesAsync(fresh);
            throw;
        }
        await files.PrefixesAsync(old);
    }

    private static async Task<IResult> ServeAsync(string folder, string ownerId, string version, string file, HttpContext http, IMediaStorage storage,
        CancellationToken cancellationToken)
    {
        var key = $"{folder}/{ownerId}/{version}/{file}";
        if (ProfileImageStore.PrefixOf(ProfileImageStore.BasePath + key) is null || !StorageKey.IsValid(key))
            return Problems.NotFound("The picture");
        var stored = await storage.GetAsync(key, cancellationToken: cancellationToken);
        if (stored is null)
            return Problems.NotFound("The picture");
        await using (stored)
        {
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
            headers.XContentTypeOptions = "nosniff";
            // The bytes under a URL never change (a new picture gets a new folder): any cache may keep them for good.
            headers.CacheControl = "public, max-age=31536000, immutable";
            headers.ETag = '"' + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 12)) + '"';
            http.Response.ContentType = "image/webp";
            http.Response.ContentLength = stored.Length;
            if (!HttpMethods.IsHead(http.Request.Method))
                await stored.Content.CopyToAsync(http.Response.Body, cancellationToken);
        }
        return Results.Empty;
    }
}

/// <summary>
/// The optional crop of a picture upload: all three of <c>x</c>, <c>y</c>, <c>size</c> (the crop's width; its height
/// follows from the picture's aspect, equal for a square, two fifths for a banner), or none for the centre one.
/// </summary>
internal readonly record struct CropQuery(
    [property: FromQuery(Name = "x")] int? X, [property: FromQuery(Name = "y")] int? Y, [property: FromQuery(Name = "size")] int? Size)
{
    public bool TryRead(out PictureCrop? crop, out ValidationProblem invalid)
    {
        crop = null;
        invalid = null!;
        if (X is null && Y is null && Size is null)
            return true;
        if (X is not { } x || Y is not { } y || Size is not { } size || x < 0 || y < 0 || size < 1)
        {
            invalid = Problems.Validation("crop", "A crop needs x and y (0 or more) and size (1 or more), all three.");
            return false;
        }
        crop = new PictureCrop(x, y, size);
        return true;
    }
}
