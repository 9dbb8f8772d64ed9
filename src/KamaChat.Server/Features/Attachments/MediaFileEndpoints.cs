using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KamaChat.Server.Infrastructure.Http;
using KamaChat.Server.Infrastructure.Storage;
using Microsoft.Net.Http.Headers;

namespace KamaChat.Server.Features.Attachments;

/// <summary>
/// Serves the signed URLs local-disk storage hands out (<see cref="MediaUrlSigner"/>): the signature is the
/// authorization (it was given only to someone who could read the channel) and the expiry ends it. Never a page:
/// nosniff, a sandboxing CSP, and the content type fixed by the signer, with downloads as attachments.
/// </summary>
public static class MediaFileEndpoints
{
    public static IEndpointRouteBuilder MapMediaFiles(this IEndpointRouteBuilder app)
    {
        app.MapMethods(MediaUrlSigner.BasePath + "{**key}", [HttpMethods.Get, HttpMethods.Head], ServeAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ServeAsync(HttpContext http, MediaUrlSigner signer, IMediaStorage storage, CancellationToken cancellationToken)
    {
        var (request, response) = (http.Request, http.Response);
        var query = request.Query;
        var check = signer.Verify(request.Path.Value ?? "", query["ex"], query["sig"], query["ct"], query["dl"]);
        if (check.Status == MediaUrlStatus.Expired)
            return Problems.Of(StatusCodes.Status403Forbidden, "url_expired", "This link has expired; open the message again for a fresh one.");
        if (check.Status != MediaUrlStatus.Valid)
            return Problems.NotFound("The file");
        if (!TryParseRange(request.Headers.Range, out var range))
            range = null; // a range we do not serve (several, or malformed) gets the whole file, as RFC 9110 allows

        StoredObject? stored;
        try
        {
            stored = await storage.GetAsync(check.Key!, range, cancellationToken);
        }
        catch (StorageRangeNotSatisfiableException e)
        {
            response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes */{e.TotalLength}");
            return Results.StatusCode(StatusCodes.Status416RangeNotSatisfiable);
        }
        if (stored is null)
            return Problems.NotFound("The file");

        await using (stored)
        {
            var headers = response.Headers;
            headers.ContentSecurityPolicy = "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox";
            headers.XContentTypeOptions = "nosniff";
            headers.AcceptRanges = "bytes";
            // Every stored key holds bytes that never change (processing writes new keys), so the signed URL may be cached until it expires.
            headers.CacheControl = "private, max-age=86400, immutable";
            headers.ETag = '"' + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(check.Key!)).AsSpan(0, 12)) + '"';
            if (check.Options?.DownloadFileName is { } fileName)
                headers.ContentDisposition = ContentDisposition.Attachment(fileName);
            response.ContentType = check.Options?.ContentType ?? "application/octet-stream";
            response.ContentLength = stored.Length;
            if (stored.Range is { } served)
            {
                response.StatusCode = StatusCodes.Status206PartialContent;
                headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {served.From}-{served.To}/{stored.TotalLength}");
            }
            if (!HttpMethods.IsHead(request.Method))
                await stored.Content.CopyToAsync(response.Body, cancellationToken);
        }
        return Results.Empty;
    }

    private static bool TryParseRange(Microsoft.Extensions.Primitives.StringValues header, out ByteRange? range)
    {
        range = null;
        if (header.Count == 0)
            return true;
        if (!RangeHeaderValue.TryParse(header.ToString(), out var parsed) || parsed.Unit != "bytes" || parsed.Ranges.Count != 1)
            return false;
        var only = parsed.Ranges.First();
        range = (only.From, only.To) switch
        {
            ({ } from, { } to) when to >= from => ByteRange.Between(from, to),
            ({ } from, null) => ByteRange.StartingAt(from),
            (null, { } suffix) when suffix > 0 => ByteRange.Last(suffix),
            _ => null,
        };
        return range is not null;
    }
}
