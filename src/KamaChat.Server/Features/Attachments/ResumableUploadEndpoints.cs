using System.Globalization;
using System.Text;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Account;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
using KamaChat.Server.Infrastructure.RateLimiting;
using KamaChat.Server.Infrastructure.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.Attachments;

/// <summary>
/// Resumable uploads, the tus 1.0.0 protocol (core, creation, termination) written here as no maintained .NET tus server
/// exists: <c>POST /api/v1/channels/{id}/attachments/tus</c> with <c>Upload-Length</c> (and <c>Upload-Metadata</c>
/// <c>filename</c>) creates one, <c>HEAD …/tus/{uploadId}</c> tells its offset, <c>PATCH</c> appends a chunk at exactly
/// that offset (409 otherwise), <c>DELETE</c> abandons it. The upload id becomes the attachment id once the last byte
/// arrives, for <c>attachmentIds</c> of a message like any upload. The same limits and permission as plain uploads.
/// </summary>
public static class ResumableUploadEndpoints
{
    public const string Version = "1.0.0";

    public static IEndpointRouteBuilder MapResumableUploads(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/channels/{id:snowflake}/attachments/tus").WithTags("Attachments").RequireAuthorization()
            .AddEndpointFilter(RequireTusVersionAsync);
        group.MapPost("", CreateAsync).RequireAuthorization(VerifiedEmailPolicy.Name).RequireAccountRateLimit(RateLimitPolicy.Upload)
            .RequireChannelPermission(Perms.AttachFiles, ChannelScope.MessageChannel).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        group.MapMethods("/{uploadId:snowflake}", [HttpMethods.Head], OffsetAsync).RequireChannelPermission(Perms.AttachFiles, ChannelScope.MessageChannel);
        group.MapPatch("/{uploadId:snowflake}", AppendAsync).RequireChannelPermission(Perms.AttachFiles, ChannelScope.MessageChannel)
            .Accepts<Stream>("application/offset+octet-stream").ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{uploadId:snowflake}", TerminateAsync).RequireChannelPermission();
        return app;
    }

    /// <summary>Every tus request says which version it speaks (412 otherwise), and every answer says ours.</summary>
    private static async ValueTask<object?> RequireTusVersionAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        http.Response.Headers["Tus-Resumable"] = Version;
        if (http.Request.Headers["Tus-Resumable"] != Version)
        {
            http.Response.Headers["Tus-Version"] = Version;
            return Problems.Of(StatusCodes.Status412PreconditionFailed, "unsupported_tus_version", $"Send Tus-Resumable: {Version}.");
        }
        return await next(context);
    }

    private static async Task<IResult> CreateAsync(ChannelAccess access, CurrentUser user, HttpContext http, [AsParameters] UploadEndpoints.Services services,
        ResumableUploadStore uploads, CancellationToken cancellationToken)
    {
        var (_, _, ids, limiter, options, _) = services;
        var limit = options.Value.MaxFileBytes;
        if (!long.TryParse(http.Request.Headers["Upload-Length"], NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            return Problems.Of(StatusCodes.Status400BadRequest, "invalid_upload_length", "Upload-Length must give the file's size in bytes.");
        if (length > limit)
            return UploadEndpoints.TooLarge(limit);
        if (length == 0)
            return UploadEndpoints.Empty();
        if (await limiter.TryAcquireAsync(RateLimitPolicy.UploadBytes, user.Id.ToString(), http, UploadEndpoints.Kilobytes(length)) is { } limited)
            return limited;

        var id = ids.NextId();
        await uploads.CreateAsync(id, new ResumableUploadInfo(user.Id, access.ChannelId, length, FileNameOf(http.Request.Headers["Upload-Metadata"])), cancellationToken);
        http.Response.Headers.Location = $"/api/v1/channels/{access.ChannelId}/attachments/tus/{id}";
        return Results.StatusCode(StatusCodes.Status201Created);
    }

    private static async Task<IResult> OffsetAsync(ChannelAccess access, Snowflake uploadId, CurrentUser user, HttpContext http, ResumableUploadStore uploads,
        KamaDbContext db, CancellationToken cancellationToken)
    {
        long offset, length;
        if (await FindAsync(uploads, uploadId, access, user, cancellationToken) is { } info)
            (offset, length) = (await uploads.OffsetAsync(uploadId, cancellationToken), info.Length);
        // Complete already (the answer to the last PATCH may have been lost): the attachment says how long it is.
        else if (await db.Attachments.Where(a => a.Id == uploadId && a.UploaderId == user.Id && a.ChannelId == access.ChannelId)
                     .Select(a => (long?)a.Size).SingleOrDefaultAsync(cancellationToken) is { } size)
            (offset, length) = (size, size);
        else
            return Problems.NotFound("The upload");
        var headers = http.Response.Headers;
        headers["Upload-Offset"] = offset.ToString(CultureInfo.InvariantCulture);
        headers["Upload-Length"] = length.ToString(CultureInfo.InvariantCulture);
        headers.CacheControl = "no-store";
        return Results.Ok();
    }

    private static async Task<IResult> AppendAsync(ChannelAccess access, Snowflake uploadId, CurrentUser user, HttpContext http,
        [AsParameters] UploadEndpoints.Services services, ResumableUploadStore uploads, CancellationToken cancellationToken)
    {
        var request = http.Request;
        if (request.ContentType != "application/offset+octet-stream")
            return Problems.Of(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "A PATCH carries application/offset+octet-stream.");
        if (!long.TryParse(request.Headers["Upload-Offset"], NumberStyles.None, CultureInfo.InvariantCulture, out var claimed))
            return Problems.Of(StatusCodes.Status400BadRequest, "invalid_upload_offset", "Upload-Offset must give where this chunk starts.");
        if (await FindAsync(uploads, uploadId, access, user, cancellationToken) is not { } info)
            return Problems.NotFound("The upload");
        var offset = await uploads.OffsetAsync(uploadId, cancellationToken);
        if (claimed != offset)
            return Problems.Of(StatusCodes.Status409Conflict, "offset_mismatch", $"The upload is at byte {offset}; send from there (HEAD tells it).",
                new Dictionary<string, object?> { ["offset"] = offset });

        var remaining = info.Length - offset;
        if (request.ContentLength > remaining)
            return UploadEndpoints.TooLarge(info.Length);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
            bodyLimit.MaxRequestBodySize = remaining;
        long stored;
        try
        {
            await using var body = new UploadBodyStream(request.Body, remaining);
            stored = await uploads.AppendAsync(uploadId, offset, body, request.ContentLength, cancellationToken);
        }
        catch (Exception e) when (e is UploadTooLargeException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            return UploadEndpoints.TooLarge(info.Length);
        }
        catch (Exception e) when (e is BadHttpRequestException or StorageLengthMismatchException ||
            (e is IOException or OperationCanceledException && http.RequestAborted.IsCancellationRequested))
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "incomplete_upload", "The chunk ended early; nothing of it was kept. HEAD tells where to resume.");
        }

        offset += stored;
        http.Response.Headers["Upload-Offset"] = offset.ToString(CultureInfo.InvariantCulture);
        if (offset == info.Length)
        {
            var key = DeleteAttachmentFilesJob.Prefix(uploadId) + "original";
            await uploads.CompleteAsync(uploadId, info.Length, key, cancellationToken);
            await UploadEndpoints.RecordAsync(services, uploadId, info.ChannelId, user.Id, key, info.FileName, info.Length, cancellationToken);
        }
        return Results.NoContent();
    }

    private static async Task<IResult> TerminateAsync(ChannelAccess access, Snowflake uploadId, CurrentUser user, ResumableUploadStore uploads,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(uploads, uploadId, access, user, cancellationToken) is null)
            return Problems.NotFound("The upload");
        await uploads.DeleteAsync(uploadId, cancellationToken);
        return Results.NoContent();
    }

    /// <summary>The upload when it is this user's, in this channel, and still incomplete; otherwise null (404: nobody learns of others' uploads).</summary>
    private static async Task<ResumableUploadInfo?> FindAsync(ResumableUploadStore uploads, Snowflake uploadId, ChannelAccess access, CurrentUser user,
        CancellationToken cancellationToken) =>
        await uploads.FindAsync(uploadId, cancellationToken) is { } info && info.UploaderId == user.Id && info.ChannelId == access.ChannelId ? info : null;

    /// <summary>The <c>filename</c> of tus metadata (<c>key base64,key base64</c>), sanitized like any upload's name.</summary>
    private static string FileNameOf(string? metadata)
    {
        foreach (var pair in (metadata ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split(' ', 2);
            if (parts[0] != "filename" || parts.Length < 2)
                continue;
            try
            {
                return AttachmentFileName.Sanitize(Encoding.UTF8.GetString(Convert.FromBase64String(parts[1])));
            }
            catch (FormatException)
            {
                break;
            }
        }
        return AttachmentFileName.Sanitize(null);
    }
}
