using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace KamaChat.Server.Infrastructure.Http;

/// <summary>
/// Sends the Brotli or gzip copy that web/scripts/precompress.mjs wrote next to a file of the web client (x.js.br,
/// x.js.gz) when the request accepts it: the request is pointed at the copy before the static file middleware, which
/// then answers as for any file (HEAD, conditional requests, its ETag of length and mtime, so one per encoding), and
/// <see cref="PrepareResponse"/> labels the answer. Compressing at build time spends Brotli's best quality once, not on
/// every request.
/// </summary>
internal sealed class PrecompressedFiles(IFileProvider files)
{
    /// <summary>In order of preference when the request accepts both equally: Brotli is the smaller.</summary>
    private static readonly Encoding[] Encodings = [new("br", ".br"), new("gzip", ".gz")];

    private static readonly FileExtensionContentTypeProvider FileTypes = new();

    /// <summary>
    /// A copy's type is its file's (x.js.br is JavaScript). Only requests this class pointed at a copy reach the static
    /// file middleware with such a name: a copy asked for by its own name is refused in <see cref="SelectAsync"/>.
    /// </summary>
    public static IContentTypeProvider ContentTypes { get; } = new CopyContentTypes();

    public Task SelectAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        // What the static file middleware would not serve anyway: another endpoint's request, or not a read.
        if (context.GetEndpoint()?.RequestDelegate is not null || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            || request.Path.Value is not { Length: > 1 } path)
            return next(context);
        if (Encodings.Any(e => path.EndsWith(e.Suffix, StringComparison.OrdinalIgnoreCase)))
        {
            // A copy is the file's representation in an encoding, never a file of its own (it would go out without its
            // Content-Encoding, as bytes no browser can read).
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        var file = files.GetFileInfo(path);
        if (!file.Exists)
            return next(context);
        var available = Encodings.Where(e => files.GetFileInfo(path + e.Suffix) is { Exists: true } copy && IsCopyOf(copy, file)).ToList();
        if (available.Count == 0)
            return next(context);
        var chosen = Choose(request.Headers.AcceptEncoding, available);
        context.Features.Set(new Selection(chosen));
        if (chosen is not null)
        {
            request.Path = path + chosen.Suffix;
            // Ranges of a compressed body are refused (ignored: the whole body, 200): a range is only ever asked for
            // by a resumed download or a media player, never for these files, and would have to be taken from the
            // encoded bytes, which few clients get right. The identity file still serves ranges.
            request.Headers.Range = default;
            request.Headers.IfRange = default;
        }
        return next(context);
    }

    /// <summary>
    /// Whether a copy was made from this build of the file: precompress.mjs gives each copy its file's time (to the
    /// millisecond, which may round it up; the tolerance covers filesystems that keep whole seconds). A copy older than
    /// its file is from an earlier build, left in an output folder the build copies into but never empties (the server's
    /// wwwroot): a file that no longer gets a copy (under 1 KiB now, or Brotli no longer smaller) must not go out as
    /// its old content.
    /// </summary>
    private static bool IsCopyOf(IFileInfo copy, IFileInfo file) => copy.LastModified >= file.LastModified - CopyTimeTolerance;

    private static readonly TimeSpan CopyTimeTolerance = TimeSpan.FromSeconds(2);

    /// <summary>Labels a response <see cref="SelectAsync"/> chose for, whatever its status (200, 304 or 412).</summary>
    public static void PrepareResponse(HttpContext context)
    {
        if (context.Features.Get<Selection>() is not { } selection)
            return;
        var headers = context.Response.Headers;
        // The answer depends on Accept-Encoding, identity included: a cache must not give a br body to a client without br.
        // Added to, not replacing, any reason set before (CORS adds its Origin later, as the response starts).
        headers.Vary = StringValues.Concat(headers.Vary, HeaderNames.AcceptEncoding);
        if (selection.Encoding is not null)
        {
            headers.ContentEncoding = selection.Encoding.Coding;
            headers.Remove(HeaderNames.AcceptRanges);
        }
    }

    /// <summary>
    /// The most wanted of the available encodings (q=0 means not at all; * stands for any not named), or null for the
    /// file itself, which every client takes (a request refusing identity too gets it anyway, as RFC 9110 allows).
    /// </summary>
    private static Encoding? Choose(StringValues acceptEncoding, List<Encoding> available)
    {
        if (!StringWithQualityHeaderValue.TryParseList(acceptEncoding, out var accepted))
            return null;
        Encoding? best = null;
        var bestQuality = 0.0;
        foreach (var encoding in available)
        {
            var quality = Quality(accepted, encoding.Coding) ?? Quality(accepted, "*") ?? 0;
            if (quality > bestQuality)
                (best, bestQuality) = (encoding, quality);
        }
        return best;
    }

    private static double? Quality(IList<StringWithQualityHeaderValue> accepted, string coding)
    {
        double? quality = null;
        foreach (var value in accepted)
        {
            if (value.Value.Equals(coding, StringComparison.OrdinalIgnoreCase))
                quality = Math.Max(quality ?? 0, value.Quality ?? 1);
        }
        return quality;
    }

    private sealed record Encoding(string Coding, string Suffix);

    /// <summary>The encoding chosen for this request (null: the file itself, which has compressed copies).</summary>
    private sealed record Selection(Encoding? Encoding);

    private sealed class CopyContentTypes : IContentTypeProvider
    {
        public bool TryGetContentType(string subpath, out string contentType)
        {
            foreach (var encoding in Encodings)
            {
                if (subpath.EndsWith(encoding.Suffix, StringComparison.OrdinalIgnoreCase))
                    return FileTypes.TryGetContentType(subpath[..^encoding.Suffix.Length], out contentType!);
            }
            return FileTypes.TryGetContentType(subpath, out contentType!);
        }
    }
}
