using System.Globalization;
using System.Text;
using System.Text.Json;

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

    /// <summary>Reads the body once to check its strings, then rewinds it for the endpoint's own binding.</summary>
    private static async Task<string?> FindUnsafeJsonFieldAsync(HttpRequest request)
    {
        request.EnableBuffering(bufferThreshold: 64 * 1024);
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return FindUnsafe(document.RootElement, new StringBuilder());
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            // Not JSON, or too large: the endpoint's binding reports it as it always does.
            return null;
        }
        finally
        {
            request.Body.Position = 0;
        }
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
