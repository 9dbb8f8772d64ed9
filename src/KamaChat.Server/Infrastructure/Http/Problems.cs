using Microsoft.AspNetCore.Http.HttpResults;

namespace KamaChat.Server.Infrastructure.Http;

/// <summary>
/// RFC 9457 problem results with a stable machine-readable <c>code</c>. Clients branch on the code,
/// never on the human-readable title or detail.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult Of(int status, string code, string detail, IDictionary<string, object?>? extensions = null)
    {
        var all = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>()) { ["code"] = code };
        return TypedResults.Problem(statusCode: status, detail: detail, extensions: all);
    }

    public static ProblemHttpResult NotFound(string what) => Of(StatusCodes.Status404NotFound, "not_found", $"{what} was not found.");

    public static ProblemHttpResult Unauthorized(string code, string detail) => Of(StatusCodes.Status401Unauthorized, code, detail);

    public static ProblemHttpResult Forbidden(string code, string detail) => Of(StatusCodes.Status403Forbidden, code, detail);

    public static ProblemHttpResult Conflict(string code, string detail) => Of(StatusCodes.Status409Conflict, code, detail);

    /// <summary>A 400 with per-field errors, the same shape the validation filter produces.</summary>
    public static ValidationProblem Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ValidationProblem Validation(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, extensions: new Dictionary<string, object?> { ["code"] = "validation_failed" });

    /// <summary>The code a problem gets when whoever produced it (framework, middleware) did not give one.</summary>
    public static string DefaultCode(int status, bool hasFieldErrors) => status switch
    {
        400 when hasFieldErrors => "validation_failed",
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        429 => "rate_limited",
        >= 500 => "internal_error",
        _ => "error",
    };
}
