using System.Text.Json;
using System.Text.Json.Serialization;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Storage;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Http;

public static class ProblemDetailsExtensions
{
    /// <summary>Every error leaves as problem+json with a code; bodies are strict JSON; unknown members are refused.</summary>
    public static IHostApplicationBuilder AddApiPlumbing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            if (!problem.Extensions.ContainsKey("code"))
                problem.Extensions["code"] = Problems.DefaultCode(status, problem is HttpValidationProblemDetails { Errors.Count: > 0 });
            problem.Instance ??= context.HttpContext.Request.Path;
            if (problem is HttpValidationProblemDetails validation)
                CamelCaseFieldNames(validation.Errors);
        });
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddValidation();

        builder.Services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(options =>
        {
            // A field the API does not know is a client mistake worth telling about, not something to drop silently.
            options.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            // Numbers are JSON numbers (the web defaults also read them from strings, which OpenAPI then declares as
            // "integer or string"); ids are Snowflakes, strings on the wire by their own converter.
            options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        // {id:snowflake}: a route segment that is not an id matches nothing.
        builder.Services.Configure<RouteOptions>(options => options.SetParameterPolicy<SnowflakeRouteConstraint>("snowflake"));
        // Binding failures throw instead of answering an empty 400, so the handler below writes a problem
        // and no endpoint code runs on a half-bound request.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
        {
            // Which server software answers is nobody's business.
            kestrel.AddServerHeader = false;
            kestrel.ConfigureEndpointDefaults(listen => listen.UsePathNulRewriting());
        });

        builder.Services.AddOptions<TrustedProxies>().Configure<IConfiguration>(TrustedProxies.Bind).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TrustedProxies>, TrustedProxiesValidator>();
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TrustedProxies>>((o, proxies) => proxies.Value.Apply(o));
        builder.Services.AddHsts(options => options.MaxAge = TimeSpan.FromDays(365));
        return builder;
    }

    /// <summary>The validation filter names fields as C# does; clients know them by their JSON (camelCase) names.</summary>
    private static void CamelCaseFieldNames(IDictionary<string, string[]> errors)
    {
        foreach (var key in errors.Keys.ToList())
        {
            var camel = string.Join('.', key.Split('.').Select(JsonNamingPolicy.CamelCase.ConvertName));
            if (camel == key)
                continue;
            var messages = errors[key];
            errors.Remove(key);
            errors[camel] = errors.TryGetValue(camel, out var existing) ? [.. existing, .. messages] : messages;
        }
    }

    public static WebApplication UseApiPlumbing(this WebApplication app)
    {
        // First: everything after it (rate limits, sessions, logs, HSTS) sees the client's address and scheme.
        app.UseForwardedHeaders();
        if (app.Environment.IsProduction())
            // Sent only on HTTPS requests (directly, or through a trusted proxy that says so).
            app.UseHsts();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestTextValidation();
        return app;
    }
}

/// <summary>Turns bad requests into 400 problems and anything unexpected into a 500 without internals.</summary>
internal sealed class ApiExceptionHandler(
    IProblemDetailsService problems, StorageHealth storage, IOptions<DatabaseOptions> database, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem;
        if (exception is BadHttpRequestException bad)
        {
            var json = FindJsonException(bad);
            var (code, detail) = bad.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => ("payload_too_large", "The request body is too large."),
                StatusCodes.Status415UnsupportedMediaType => ("unsupported_media_type", "Send the body as application/json."),
                _ when json is not null => ("malformed_request", json.Path is { Length: > 1 } path
                    ? $"The request body is not valid for this endpoint at '{path}'."
                    : "The request body is not valid JSON for this endpoint."),
                _ => ("bad_request", bad.Message),
            };
            problem = new ProblemDetails { Status = bad.StatusCode, Detail = detail, Extensions = { ["code"] = code } };
        }
        else if (exception is Jobs.JobQueueUnavailableException)
        {
            logger.LogError(exception, "Job queue unavailable for {Method} {Path}", context.Request.Method, context.Request.Path);
            context.Response.Headers.RetryAfter = "30";
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Detail = "A background service is unavailable; nothing was changed. Try again shortly.",
                Extensions = { ["code"] = "service_unavailable" },
            };
        }
        else if (StorageFailure.IsStorageFailure(exception))
        {
            // The transaction did not commit, so nothing was changed; a read-only or broken pooled connection must not
            // outlive the fault, or writes keep failing after storage is back.
            logger.LogWarning(exception, "Storage unavailable for {Method} {Path}", context.Request.Method, context.Request.Path);
            storage.Failed();
            StorageFailure.ClearPool(database.Value);
            context.Response.Headers.RetryAfter = "5";
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Detail = "Storage is unavailable right now; nothing was changed. Try again shortly.",
                Extensions = { ["code"] = "service_unavailable", ["retryAfterSeconds"] = 5 },
            };
        }
        else if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is listening for an answer.
            return true;
        }
        else
        {
            logger.LogError(exception, "Unhandled exception for {Method} {Path}", context.Request.Method, context.Request.Path);
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Detail = "Something went wrong on our side; try again.",
                Extensions = { ["code"] = "internal_error" },
            };
        }

        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private static JsonException? FindJsonException(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
            if (exception is JsonException json)
                return json;
        return null;
    }
}
