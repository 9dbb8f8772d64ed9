using KamaChat.Server.Infrastructure.Configuration;
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
        builder.Services.AddOpenApi(DocumentName, options =>
        {
            options.AddSchemaTransformer(DescribeIds);
            options.AddDocumentTransformer(DescribeDocument);
        });
        return builder;
    }

    /// <summary>
    /// The id type has its own JSON converter, which the schema generator cannot see into (it writes <c>{}</c>, and leaves
    /// out the items of an id array): every id, in a path, query, body or response, is a string of digits.
    /// </summary>
    private static Task DescribeIds(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(Snowflake) || type == typeof(Snowflake?))
            DescribeId(schema, nullable: type != typeof(Snowflake));
        else if (context.JsonTypeInfo.ElementType is { } element && (element == typeof(Snowflake) || element == typeof(Snowflake?)) &&
                 schema.Items is null or OpenApiSchema)
            DescribeId((OpenApiSchema)(schema.Items ??= new OpenApiSchema()), nullable: element != typeof(Snowflake));
        return Task.CompletedTask;
    }

    private static void DescribeId(OpenApiSchema schema, bool nullable)
    {
        schema.Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
        schema.Pattern = Snowflake.Pattern;
        schema.Format = null;
        schema.Description ??= "A snowflake id: 64 bits, as a decimal string.";
    }

    private static Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        // The framework fills servers from the request's Host header, which the client controls: leave them out,
        // so the docs call the origin they were loaded from.
        document.Servers = [];
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
        DescribeSchemas(document.Components.Schemas);
        return Task.CompletedTask;
    }

    /// <summary>On the finished document: by then every use of a type is a reference to its one component.</summary>
    private static void DescribeSchemas(IDictionary<string, IOpenApiSchema>? schemas)
    {
        if (schemas is null)
            return;
        // The one id component every id refers to (route ids the handler does not bind are plain strings), whether or not
        // the schema transformer saw it before it became a component.
        if (schemas.TryGetValue(nameof(Snowflake), out var id) && id is OpenApiSchema snowflake)
            DescribeId(snowflake, nullable: false);
        // Every problem carries a stable code (and sometimes retryAfterSeconds): say so, so clients get them typed.
        foreach (var name in new[] { nameof(Microsoft.AspNetCore.Mvc.ProblemDetails), nameof(HttpValidationProblemDetails) })
        {
            if (schemas.TryGetValue(name, out var schema) && schema is OpenApiSchema { Properties: { } properties })
            {
                properties["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Stable, machine-readable error code." };
                properties["retryAfterSeconds"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null };
            }
        }
    }

    /// <summary>KAMACHAT_API_DOCS=false leaves out /docs and /openapi/v1.json (on by default).</summary>
    public static WebApplication MapApiDocs(this WebApplication app)
    {
        // Bound here unvalidated, as routes are mapped before the settings are checked; start-up names a malformed value.
        var server = new ServerOptions();
        ServerOptions.Bind(server, app.Configuration);
        if (!server.ApiDocs)
            return app;
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/docs", options => options.WithTitle("KamaChat API")).AllowAnonymous();
        return app;
    }
}
