using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace KamaChat.Server.Infrastructure.Http;

/// <summary>OpenAPI at /openapi/v1.json and interactive docs at /docs.</summary>
public static class ApiDocs
{
    /// <summary>The document's name (<c>/openapi/v1.json</c>), for features that add to it.</summary>
    public const string DocumentName = "v1";

    public static IHostApplicationBuilder AddApiDocs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(DocumentName, options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "KamaChat API",
                Version = "v1",
                Description = "IDs are 64-bit snowflakes sent as strings. Errors are RFC 9457 problem+json with a stable `code`.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "The accessToken from /api/v1/auth/login, /register or /refresh.",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] });
            return Task.CompletedTask;
        }));
        builder.Services.Configure<OpenApiOptions>(options => options.AddSchemaTransformer((schema, context, _) =>
        {
            // Every problem carries a stable code (and sometimes retryAfterSeconds): say so, so clients get them typed.
            if (typeof(Microsoft.AspNetCore.Mvc.ProblemDetails).IsAssignableFrom(context.JsonTypeInfo.Type) && schema.Properties is { } properties)
            {
                properties["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Stable, machine-readable error code." };
                properties["retryAfterSeconds"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null };
            }
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/docs", options => options.WithTitle("KamaChat API")).AllowAnonymous();
        return app;
    }
}
