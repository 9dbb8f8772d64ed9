using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace KamaChat.Server.Infrastructure.Http;

/// <summary>
/// Refuses, before any endpoint runs, a request whose route values, path, query string or JSON body holds text that
/// <see cref="SafeText"/> does not allow: 400 <c>validation_failed</c> naming the field. One check for every endpoint,
/// so no handler, validator or database ever sees a NUL.
/// </summary>
public static class RequestTextValidation
{
    /// <summary>JSON bodies larger than this are not read twice (the API's are far smaller); the endpoint refuses them itself.</summary>
    private const long MaxScannedBody = 1024 * 1024;

    /// <summary>The bytes that may stand for refused text in a JSON string: a backslash (an escape), C0 controls but tab and line breaks, DEL.</summary>
    private static readonly SearchValues<byte> EscapesAndControls = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Where(b => b is not ('\t' or '\n' or '\r')).Select(b => (byte)b), (byte)'\\', 0x7f]);

    public static IApplicationBuilder UseRequestTextValidation(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (await FindUnsafeFieldAsync(context.Request) is { } field)
        {
            await Problems.Validation(field, "Contains a control character or broken text.").ExecuteAsync(context);
            return;
        }
        await next(context);
    });

    private static async Task<string?> FindUnsafeFieldAsync(HttpRequest request)
    {
        foreach (var (name, value) in request.RouteValues)
            if (value is string text && !SafeText.IsAllowed(text))
                return name;
        if (!SafeText.IsAllowed(request.Path.Value))
            return "path";
        foreach (var (name, values) in request.Query)
        {
            if (!SafeText.IsAllowed(name))
                return "query";
            foreach (var value in values)
                if (value is not null && !SafeText.IsAllowed(value))
                    return name;
        }
        return request.HasJsonContentType() && request.ContentLength is null or (> 0 and <= MaxScannedBody)
            ? await FindUnsafeJsonFieldAsync(request)
            : null;
    }

    /// <summary>
    /// Reads the body into memory once to check its strings, and gives the endpoint's binding that copy to read. Most
    /// bodies are settled by one pass over their bytes (<see cref="CannotHoldUnsafeText"/>); only the others are parsed.
    /// Not <c>EnableBuffering</c>: its stream rents a 64 KiB buffer per request up front, and with a few hundred sends
    /// waiting for their channel's commit the shared pool ran dry and every send allocated one (a fifth of the bytes
    /// a send allocated). A read that fails (a body over Kestrel's limit, a client gone) fails the request as it would
    /// have failed the endpoint's own read.
    /// </summary>
    private static async Task<string?> FindUnsafeJsonFieldAsync(HttpRequest request)
    {
        var body = await ReadAllAsync(request.Body, request.ContentLength, request.HttpContext.RequestAborted);
        request.Body = new MemoryStream(body.Array!, body.Offset, body.Count, writable: false);
        if (CannotHoldUnsafeText(body))
            return null;
        try
        {
            using var document = JsonDocument.Parse(body.AsMemory());
            return FindUnsafe(document.RootElement, new StringBuilder());
        }
        catch (JsonException)
        {
            // Not JSON: the endpoint's binding reports it as it always does.
            return null;
        }
    }

    /// <summary>
    /// The whole body: at once when its length is declared (the caller has checked it), otherwise (chunked) in growing
    /// steps, up to <see cref="MaxScannedBody"/>: a longer chunked JSON body is refused as too large rather than held in
    /// memory to Kestrel's own limit (30 MB), which anyone could otherwise make every request cost.
    /// </summary>
    private static async Task<ArraySegment<byte>> ReadAllAsync(Stream body, long? length, CancellationToken cancellationToken)
    {
        if (length is { } declared)
        {
            var exact = new byte[declared];
            var got = await body.ReadAtLeastAsync(exact, exact.Length, throwOnEndOfStream: false, cancellationToken);
            return new ArraySegment<byte>(exact, 0, got);
        }
        var buffer = new byte[1024];
        var read = 0;
        while (true)
        {
            if (read == buffer.Length)
            {
                if (read > MaxScannedBody)
                    throw new BadHttpRequestException("The request body is too large.", StatusCodes.Status413PayloadTooLarge);
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            var got = await body.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (got == 0)
                return new ArraySegment<byte>(buffer, 0, read);
            read += got;
        }
    }

    /// <summary>
    /// Whether no string of this JSON (a name or a value) can decode to text <see cref="SafeText"/> refuses, seen from
    /// its bytes alone: well-formed UTF-8 (which cannot encode half a surrogate pair), no escape (a backslash), no C0
    /// control but tab and line breaks, no DEL and no C1 control (U+0080..U+009F, encoded C2 80..C2 9F). A body that
    /// passes holds only allowed text in every string, whatever its structure; one that does not is parsed and walked.
    /// </summary>
    internal static bool CannotHoldUnsafeText(ReadOnlySpan<byte> json)
    {
        if (json.ContainsAny(EscapesAndControls))
            return false;
        for (var rest = json; rest.IndexOf((byte)0xc2) is var at and >= 0; rest = rest[(at + 1)..])
            if (at + 1 < rest.Length && rest[at + 1] is >= 0x80 and <= 0x9f)
                return false;
        return Utf8.IsValid(json);
    }

    private static string? FindUnsafe(JsonElement element, StringBuilder path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return IsSafe(element) ? null : Field(path);
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    // A broken member name cannot name itself: the object holding it is the field.
                    if (!SafeText.IsAllowed(property.Name))
                        return Field(path);
                    var length = path.Length;
                    if (length > 0)
                        path.Append('.');
                    path.Append(property.Name);
                    if (FindUnsafe(property.Value, path) is { } found)
                        return found;
                    path.Length = length;
                }
                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    var length = path.Length;
                    path.Append(CultureInfo.InvariantCulture, $"[{index++}]");
                    if (FindUnsafe(item, path) is { } found)
                        return found;
                    path.Length = length;
                }
                return null;
            default:
                return null;
        }
    }

    private static bool IsSafe(JsonElement text)
    {
        try
        {
            return SafeText.IsAllowed(text.GetString());
        }
        catch (InvalidOperationException)
        {
            // An escape that decodes to no valid text (half a surrogate pair).
            return false;
        }
    }

    private static string Field(StringBuilder path) => path.Length == 0 ? "body" : path.ToString();
}
