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
/// Uploading avatars and server icons (<c>PUT</c> with the image as the body, an optional square crop as <c>x</c>,
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
        var me = app.MapGroup("/api/v1/users/@me/avatar").WithTags("Users").RequireAuthorization();
        me.MapPut("", PutAvatarAsync).RequireAccountRateLimit(RateLimitPolicy.Upload).Accepts<Stream>("application/octet-stream")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        me.MapDelete("", DeleteAvatarAsync);

        var icon = app.MapGroup("/api/v1/servers/{id:snowflake}/icon").WithTags("Servers").RequireAuthorization();
        icon.MapPut("", PutIconAsync).RequireServerPermission(Perms.ManageServer).RequireAccountRateLimit(RateLimitPolicy.Upload)
            .Accepts<Stream>("application/octet-stream").ProducesValidationProblem().ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        icon.MapDelete("", DeleteIconAsync).RequireServerPermission(Perms.ManageServer);

        app.MapMethods(ProfileImageStore.BasePath + "{folder}/{ownerId}/{version}/{file}", [HttpMethods.Get, HttpMethods.Head], ServeAsync)
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<MeResponse>, ValidationProblem, ProblemHttpResult>> PutAvatarAsync(
        [AsParameters] CropQuery query, CurrentUser me, HttpContext http, ProfileImageStore store, KamaDbContext db, StoredFileCleanup files,
        ProfileBroadcast broadcast, CancellationToken cancellationToken)
    {
        if (!query.TryRead(out var crop, out var invalid))
            return invalid;
        var userId = me.Id;
        var outcome = await store.StoreAsync(ProfileImageKind.Avatar, userId, http.Request, crop, cancellationToken);
        if (outcome.Problem is { } refused)
            return refused;
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            await files.PrefixesAsync(ProfileImageStore.PrefixOf(outcome.Url));
            return Problems.NotFound("The user");
        }
        var replaced = user.AvatarUrl;
        user.AvatarUrl = outcome.Url;
        await SaveReplacingAsync(replaced, outcome.Url, () => db.SaveChangesAsync(cancellationToken), files);
        await broadcast.SendAsync(user, cancellationToken);
        return TypedResults.Ok(MeResponse.From(user));
    }

    private static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> DeleteAvatarAsync(
        CurrentUser me, KamaDbContext db, StoredFileCleanup files, ProfileBroadcast broadcast, CancellationToken cancellationToken)
    {
        var userId = me.Id;
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
            return Problems.NotFound("The user");
        var replaced = user.AvatarUrl;
        user.AvatarUrl = null;
        await SaveReplacingAsync(replaced, null, () => db.SaveChangesAsync(cancellationToken), files);
        if (replaced is not null)
            await broadcast.SendAsync(user, cancellationToken);
        return TypedResults.Ok(MeResponse.From(user));
    }

    private static async Task<Results<Ok<ServerResponse>, ValidationProblem, ProblemHttpResult>> PutIconAsync(
        ServerAccess access, [AsParameters] CropQuery query, HttpContext http, ProfileImageStore store, [AsParameters] ServerChange change,
        CancellationToken cancellationToken)
    {
        if (!query.TryRead(out var crop, out var invalid))
            return invalid;
        var outcome = await store.StoreAsync(ProfileImageKind.ServerIcon, access.ServerId, http.Request, crop, cancellationToken);
        if (outcome.Problem is { } refused)
            return refused;
        return TypedResults.Ok(await SetIconAsync(access.ServerId, outcome.Url, change, cancellationToken));
    }

    private static async Task<Ok<ServerResponse>> DeleteIconAsync(ServerAccess access, [AsParameters] ServerChange change, CancellationToken cancellationToken) =>
        TypedResults.Ok(await SetIconAsync(access.ServerId, null, change, cancellationToken));

    /// <summary>What changing a server's icon needs besides the request.</summary>
    internal readonly record struct ServerChange(KamaDbContext Db, EventLog Events, AuditLog Audit, StoredFileCleanup Files);

    private static async Task<ServerResponse> SetIconAsync(Snowflake serverId, string? url, ServerChange services, CancellationToken cancellationToken)
    {
        var (db, events, audit, files) = services;
        await using var change = await events.BeginAsync(cancellationToken);
        var server = await db.Servers.SingleAsync(s => s.Id == serverId, cancellationToken);
        var replaced = server.IconUrl;
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

/// <summary>The optional square crop of a picture upload: all three of <c>x</c>, <c>y</c>, <c>size</c>, or none for the centre square.</summary>
internal readonly record struct CropQuery([FromQuery(Name = "x")] int? X, [FromQuery(Name = "y")] int? Y, [FromQuery(Name = "size")] int? Size)
{
    public bool TryRead(out SquareCrop? crop, out ValidationProblem invalid)
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
        crop = new SquareCrop(x, y, size);
        return true;
    }
}
