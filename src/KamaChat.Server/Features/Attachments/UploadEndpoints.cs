using KamaChat.Server.Data;
using KamaChat.Server.Features.Account;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
using KamaChat.Server.Infrastructure.Jobs;
using KamaChat.Server.Infrastructure.RateLimiting;
using KamaChat.Server.Infrastructure.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.Attachments;

/// <summary>What a client checks before uploading (the server enforces them anyway).</summary>
public sealed record UploadLimitsResponse(long MaxFileBytes, int MaxAttachmentsPerMessage);

/// <summary>An upload waiting to be sent with a message (<c>attachmentIds</c> of <c>POST …/messages</c>).</summary>
public sealed record UploadResponse(Snowflake Id, string FileName, long Size);

/// <summary>
/// Uploads: <c>POST /api/v1/channels/{id}/attachments?filename=…</c> with the file's bytes as the body (any
/// Content-Type; the type is sniffed later from the bytes). The body streams to storage as it arrives; nothing holds a
/// whole file in memory. The upload belongs to its uploader and channel until a message takes it or it expires.
/// </summary>
public static class UploadEndpoints
{
    /// <summary>What uploading needs besides the request (minimal APIs fill it from DI).</summary>
    internal readonly record struct Services(
        KamaDbContext Db, IMediaStorage Storage, SnowflakeGenerator Ids, AccountRateLimiter Limiter, IOptions<UploadOptions> Options, TimeProvider Time);

    public static IEndpointRouteBuilder MapUploads(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/channels/{id:snowflake}/attachments").WithTags("Attachments").RequireAuthorization();
        group.MapPost("", UploadAsync).RequireAuthorization(VerifiedEmailPolicy.Name)
            .RequireAccountRateLimit(RateLimitPolicy.Upload)
            .RequireChannelPermission(Perms.AttachFiles, ChannelScope.MessageChannel)
            .Accepts<Stream>("application/octet-stream")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        // Only the uploader, and only while no message carries it: the tray's remove button.
        group.MapDelete("/{attachmentId:snowflake}", CancelAsync).RequireChannelPermission();
        app.MapGet("/api/v1/attachments/limits", (IOptions<UploadOptions> options) =>
                TypedResults.Ok(new UploadLimitsResponse(options.Value.MaxFileBytes, UploadOptions.MaxAttachmentsPerMessage)))
            .WithTags("Attachments").RequireAuthorization();
        return app;
    }

    private static async Task<Results<Created<UploadResponse>, ProblemHttpResult>> UploadAsync(
        ChannelAccess access, [FromQuery] string? filename, CurrentUser user, HttpContext http, [AsParameters] Services services,
        CancellationToken cancellationToken)
    {
        var (_, storage, ids, limiter, options, _) = services;
        var limit = options.Value.MaxFileBytes;
        var declared = http.Request.ContentLength;
        // Refused from the headers alone: not one byte of the body is read.
        if (declared > limit)
            return TooLarge(limit);
        if (declared == 0)
            return Empty();
        var account = user.Id.ToString();
        if (declared is { } length && await limiter.TryAcquireAsync(RateLimitPolicy.UploadBytes, account, http, Kilobytes(length)) is { } limited)
            return limited;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
            bodyLimit.MaxRequestBodySize = limit;

        var id = ids.NextId();
        var key = DeleteAttachmentFilesJob.Prefix(id) + "original";
        long stored;
        try
        {
            await using var body = new UploadBodyStream(http.Request.Body, limit);
            stored = await storage.PutAsync(key, body, declared, "application/octet-stream", cancellationToken);
        }
        catch (Exception e) when (e is UploadTooLargeException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            return TooLarge(limit);
        }
        catch (Exception e) when (e is BadHttpRequestException or StorageLengthMismatchException)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "incomplete_upload", "The body ended before Content-Length bytes arrived; nothing was stored.");
        }
        if (stored == 0)
        {
            await storage.DeleteAsync(key, CancellationToken.None);
            return Empty();
        }
        if (declared is null)
            await limiter.TryAcquireAsync(RateLimitPolicy.UploadBytes, account, http, Kilobytes(stored)); // counts against the next upload

        var name = AttachmentFileName.Sanitize(filename);
        await RecordAsync(services, id, access.ChannelId, user.Id, key, name, stored, cancellationToken);
        return TypedResults.Created($"/api/v1/channels/{access.ChannelId}/attachments/{id}", new UploadResponse(id, name, stored));
    }

    /// <summary>Adds the row of a stored upload (pending, to be sent with a message); without it the file goes too.</summary>
    internal static async Task RecordAsync(Services services, Snowflake id, Snowflake channelId, Snowflake uploaderId, string key, string fileName, long size,
        CancellationToken cancellationToken)
    {
        var (db, storage, _, _, _, time) = services;
        db.Attachments.Add(new Attachment
        {
            Id = id, ChannelId = channelId, UploaderId = uploaderId, StorageKey = key, FileName = fileName,
            ContentType = "application/octet-stream", Size = size, State = AttachmentState.Pending, CreatedAt = time.GetUtcNow(),
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch
        {
            await storage.DeleteAsync(key, CancellationToken.None); // no file without its row
            throw;
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> CancelAsync(
        ChannelAccess access, Snowflake attachmentId, CurrentUser user, KamaDbContext db, IJobQueue jobs, CancellationToken cancellationToken)
    {
        var removed = await db.Attachments
            .Where(a => a.Id == attachmentId && a.ChannelId == access.ChannelId && a.UploaderId == user.Id && a.MessageId == null)
            .ExecuteDeleteAsync(cancellationToken);
        if (removed == 0)
            return Problems.NotFound("The upload");
        await jobs.EnqueueAsync(new DeleteAttachmentFilesJob([attachmentId]), cancellationToken);
        return TypedResults.NoContent();
    }

    internal static int Kilobytes(long bytes) => (int)Math.Min(int.MaxValue, (bytes + 1023) / 1024);

    internal static ProblemHttpResult TooLarge(long limit) => Problems.Of(StatusCodes.Status413PayloadTooLarge, "payload_too_large",
        $"Files can be at most {limit / (1024 * 1024)} MiB.", new Dictionary<string, object?> { ["maxBytes"] = limit });

    internal static ProblemHttpResult Empty() => Problems.Of(StatusCodes.Status400BadRequest, "empty_file", "The file is empty.");
}
