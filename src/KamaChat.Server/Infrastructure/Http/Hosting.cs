using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KamaChat.Server.Infrastructure.Http;

/// <summary>Health endpoints and security headers.</summary>
public static class Hosting
{
    public static WebApplication MapHealth(this WebApplication app)
    {
        // Liveness: the process answers. Readiness: it can reach what it depends on (database, later queue and cache).
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResultStatusCodes = { [HealthStatus.Degraded] = StatusCodes.Status200OK, [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable },
        }).AllowAnonymous();
        return app;
    }

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var request = context.Request;
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            // API answers are per user and per moment: no browser or proxy cache may keep them (an endpoint may say otherwise).
            if (request.Path.StartsWithSegments("/api"))
                headers.CacheControl = "no-store";
            // The interactive docs load their own inline script; everything else gets a strict policy.
            if (!request.Path.StartsWithSegments("/docs"))
                headers.ContentSecurityPolicy = ContentSecurityPolicy.For(request);
            else
                headers.ContentSecurityPolicy = "frame-ancestors 'none'";
            return next(context);
        });
        return app;
    }

    /// <summary>
    /// The strict policy for a host. The last one built is kept (a node is mostly asked under one name): a gateway
    /// request's response headers live as long as its WebSocket, and a policy built per request was ~0.5 KiB of every
    /// idle connection.
    /// </summary>
    private sealed record ContentSecurityPolicy(string? Host, bool IsHttps, string Value)
    {
        private static ContentSecurityPolicy? _last;

        public static string For(HttpRequest request)
        {
            var host = request.Host.Value;
            if (_last is { } last && last.Host == host && last.IsHttps == request.IsHttps)
                return last.Value;
            var policy = new ContentSecurityPolicy(host, request.IsHttps,
                "default-src 'self'; img-src 'self' data: blob: https:; media-src 'self' blob: https:; " +
                $"style-src 'self' 'unsafe-inline'; connect-src 'self'{OwnWebSocketOrigin(host, request.IsHttps)}; frame-ancestors 'none'; base-uri 'self'; object-src 'none'");
            _last = policy;
            return policy.Value;
        }

        /// <summary>
        /// The gateway's origin as the page's own host over ws(s): 'self' covers it in current browsers, older Safari
        /// needs it spelled out. Never any host (ws: wss:), which would let injected script talk to anyone's socket.
        /// </summary>
        private static string OwnWebSocketOrigin(string? host, bool isHttps)
        {
            if (string.IsNullOrEmpty(host) || !host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '[' or ']'))
                return "";
            return $" {(isHttps ? "wss" : "ws")}://{host}";
        }
    }
}
