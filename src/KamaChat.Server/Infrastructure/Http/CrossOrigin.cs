using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Http;

/// <summary>
/// Origins besides the server's own whose pages may call the API (KAMACHAT_CORS_ORIGINS, comma-separated): the web
/// client hosted elsewhere, e.g. by the desktop app or on another site. The API takes bearer tokens, never cookies,
/// so no credentials mode is needed. The gateway's WebSocket is not subject to CORS.
/// </summary>
public sealed class CrossOriginOptions
{
    /// <summary>Normalized origins: scheme://host[:port], lower case, no trailing slash.</summary>
    public IReadOnlyList<string> Origins { get; set; } = [];

    /// <summary>The entries as configured, kept so validation can say exactly which one is wrong.</summary>
    public IReadOnlyList<string> Entries { get; set; } = [];

    public static void Bind(CrossOriginOptions options, IConfiguration configuration)
    {
        options.Entries = (configuration["KAMACHAT_CORS_ORIGINS"] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        options.Origins = [.. options.Entries.Select(Normalize).OfType<string>().Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The origin an entry names, or null when it is not a bare http(s) origin.</summary>
    public static string? Normalize(string entry) =>
        Uri.TryCreate(entry, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.PathAndQuery == "/" && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
        && !entry.Contains('*', StringComparison.Ordinal)
            ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant()
            : null;
}

internal sealed class CrossOriginOptionsValidator : IValidateOptions<CrossOriginOptions>
{
    public ValidateOptionsResult Validate(string? name, CrossOriginOptions options)
    {
        var bad = options.Entries.FirstOrDefault(entry => CrossOriginOptions.Normalize(entry) is null);
        return bad is null
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"KAMACHAT_CORS_ORIGINS must list origins such as https://chat.example.com or http://localhost:5173, comma-separated, without paths or wildcards (got '{bad}').");
    }
}

public static class CrossOrigin
{
    public static IHostApplicationBuilder AddCrossOrigin(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CrossOriginOptions>()
            .Configure<IConfiguration>((o, c) => CrossOriginOptions.Bind(o, c))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<CrossOriginOptions>, CrossOriginOptionsValidator>();
        builder.Services.AddCors();
        builder.Services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<IOptions<CrossOriginOptions>>((cors, allowed) =>
            {
                if (allowed.Value.Origins.Count == 0)
                    return;
                cors.AddDefaultPolicy(policy => policy
                    .WithOrigins([.. allowed.Value.Origins])
                    .WithMethods("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
                    // x-audit-log-reason: a moderator's reason for the audit log (Features/Audit); the rest: resumable uploads (tus).
                    .WithHeaders("authorization", "content-type", "accept", "x-audit-log-reason",
                        "tus-resumable", "upload-length", "upload-offset", "upload-metadata")
                    // The client reads Retry-After on 429 and 503 answers, and the tus headers of resumable uploads.
                    .WithExposedHeaders("Retry-After", "Location", "Tus-Resumable", "Upload-Offset", "Upload-Length")
                    .SetPreflightMaxAge(TimeSpan.FromHours(1)));
            });
        return builder;
    }

    /// <summary>Answers preflights and adds CORS headers for the listed origins; without any, requests pass untouched.</summary>
    public static WebApplication UseCrossOrigin(this WebApplication app)
    {
        app.UseCors();
        return app;
    }
}
