using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace KamaChat.Server.Infrastructure.Http;

/// <summary>
/// Serves the React client (built into wwwroot next to the server) with a fallback to index.html for client-side
/// routes: compressed when the build wrote a compressed copy (<see cref="PrecompressedFiles"/>), and cached by browsers
/// only where a file's name changes with its content. KAMACHAT_WEB_ROOT points elsewhere, e.g. at web/dist while
/// developing.
/// </summary>
/// <remarks>
/// Not ASP.NET Core's MapStaticAssets: it serves what the SDK found in the project's wwwroot at build time, from a
/// manifest made then, so it cannot serve a folder chosen when the server starts (KAMACHAT_WEB_ROOT), and it writes
/// Brotli only on publish while ./kamachat builds.
/// </remarks>
public static class WebClient
{
    /// <summary>Vite's output folder: every name in it carries a hash of the file's content.</summary>
    private static readonly PathString Fingerprinted = "/assets";

    /// <summary>A fingerprinted file never changes under its name: a year, and no revalidation on reload.</summary>
    private const string CacheForever = "public, max-age=31536000, immutable";

    /// <summary>
    /// Everything else (index.html, the service worker, the manifest, the offline page, theme-init.js) keeps its name
    /// across deploys: a browser may keep it but asks each time (a 304 when unchanged), so a deploy shows at once.
    /// </summary>
    private const string Revalidate = "no-cache";

    public static WebApplication MapWebClient(this WebApplication app)
    {
        var root = app.Configuration["KAMACHAT_WEB_ROOT"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (!File.Exists(Path.Combine(root, "index.html")))
        {
            app.MapGet("/", () => TypedResults.Text(
                "KamaChat server is running. The web client is not built: run ./kamachat start. API docs: /docs\n"))
                .ExcludeFromDescription();
            return app;
        }

        var fileProvider = new PhysicalFileProvider(root);
        var precompressed = new PrecompressedFiles(fileProvider);
        var files = new StaticFileOptions
        {
            FileProvider = fileProvider,
            ContentTypeProvider = PrecompressedFiles.ContentTypes,
            OnPrepareResponse = PrepareResponse,
        };
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = fileProvider });
        app.Use(precompressed.SelectAsync);
        app.UseStaticFiles(files);

        // Client routes only: /api, /hubs and the docs' paths that match nothing stay 404/405 problems (status code pages).
        // MapFallbackToFile's own pipeline would send index.html uncompressed: this one is the same plus the choice.
        var indexPage = ((IEndpointRouteBuilder)app).CreateApplicationBuilder()
            .Use((context, next) =>
            {
                context.Request.Path = "/index.html";
                // The static file middleware serves only requests no endpoint has claimed.
                context.SetEndpoint(null);
                return next(context);
            })
            .Use(precompressed.SelectAsync)
            .UseStaticFiles(files)
            .Build();
        app.MapFallback("{*path:regex(^(?!api/|hubs/|openapi/|docs(/|$)).*$):nonfile}", indexPage)
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]))
            .AllowAnonymous();
        return app;
    }

    private static void PrepareResponse(StaticFileResponseContext file)
    {
        var context = file.Context;
        context.Response.Headers.CacheControl = context.Request.Path.StartsWithSegments(Fingerprinted) ? CacheForever : Revalidate;
        PrecompressedFiles.PrepareResponse(context);
    }
}
