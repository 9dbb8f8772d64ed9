using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KamaChat.Tests.LinkPreviews;

/// <summary>
/// Web pages on a loopback port for link previews to fetch: pages with OpenGraph tags, redirects, a huge page, a
/// file that is not HTML, files a test serves (<see cref="Serve"/>) and a server too slow to answer. It listens on
/// 127.0.0.1 and on [::1] (<see cref="V6BaseAddress"/>), and records every path asked for, with the User-Agent and the
/// address it was asked on.
/// </summary>
public sealed class LoopbackPageServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private readonly ConcurrentDictionary<string, (byte[] Body, string ContentType)> _files = new();

    public ConcurrentQueue<(string Path, string UserAgent)> Requests { get; } = new();

    /// <summary>The paths asked for on [::1], which previews may reach only when a test allows it.</summary>
    public ConcurrentQueue<string> V6Requests { get; } = new();

    public Uri BaseAddress { get; }

    public Uri V6BaseAddress { get; }

    private LoopbackPageServer(WebApplication app)
    {
        _app = app;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.First(a => a.Contains("127.0.0.1", StringComparison.Ordinal)) + "/");
        V6BaseAddress = new Uri(addresses.First(a => a.Contains("[::1]", StringComparison.Ordinal)) + "/");
    }

    /// <summary>Serves <paramref name="body"/> as <paramref name="contentType"/> at <c>/files/{name}</c>; returns its URL.</summary>
    public string Serve(string name, byte[] body, string contentType)
    {
        _files[name] = (body, contentType);
        return Url("files/" + name);
    }

    public static async Task<LoopbackPageServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0", "http://[::1]:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        LoopbackPageServer? server = null;
        app.Use(async (http, next) =>
        {
            if (http.Connection.LocalIpAddress is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } local && !local.IsIPv4MappedToIPv6)
                server!.V6Requests.Enqueue(http.Request.Path + http.Request.QueryString);
            server!.Requests.Enqueue((http.Request.Path + http.Request.QueryString, http.Request.Headers.UserAgent.ToString()));
            await next(http);
        });
        app.MapGet("/og/{name}", (string name, string? image, string? card) => Results.Content(Page(name, image, card), "text/html; charset=utf-8"));
        app.MapGet("/files/{name}", (string name) => server!._files.TryGetValue(name, out var file) ? Results.Bytes(file.Body, file.ContentType) : Results.NotFound());
        app.MapGet("/title-only", () => Results.Content(
            "<!doctype html><html><head><title>  Just   a\n title </title><meta name=description content='Plain &lt;meta&gt; description'></head><body></body></html>",
            "text/html"));
        app.MapGet("/latin1", () => Results.Bytes(Encoding.Latin1.GetBytes("<html><head><title>Caf\u00e9 cr\u00e8me</title></head></html>"), "text/html; charset=iso-8859-1"));
        app.MapGet("/redirect", (string to) => Results.Redirect(to));
        app.MapGet("/hops/{n:int}", (int n) => n == 0 ? Results.Content(Page("after-hops"), "text/html") : Results.Redirect($"/hops/{n - 1}"));
        app.MapGet("/huge", async (HttpContext http) =>
        {
            // The head comes first, then 16 MiB of body that nobody should read to the end.
            http.Response.ContentType = "text/html";
            await http.Response.WriteAsync(Page("huge").Replace("</body></html>", "", StringComparison.Ordinal));
            var filler = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
            try
            {
                for (var i = 0; i < 256; i++)
                    await http.Response.Body.WriteAsync(filler, http.RequestAborted);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                // The reader hung up: what should happen.
            }
        });
        app.MapGet("/picture.png", () => Results.Bytes(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, "image/png"));
        app.MapGet("/slow", async (HttpContext http) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), http.RequestAborted);
            return Results.Content(Page("slow"), "text/html");
        });
        await app.StartAsync();
        return server = new LoopbackPageServer(app);
    }

    /// <summary>
    /// A page whose OpenGraph title is "Title of {name} &amp; co" (an entity), with a description that looks like markup;
    /// with <paramref name="image"/> as its og:image and <paramref name="card"/> as its twitter:card when given.
    /// </summary>
    public static string Page(string name, string? image = null, string? card = null) => $"""
        <!doctype html>
        <html><head>
        <meta charset="utf-8">
        <title>Fallback title</title>
        <meta property="og:site_name" content="Loopback Pages">
        <meta property="og:title" content="Title of {name} &amp; co">
        <meta property="og:description" content="&lt;b&gt;Bold?&lt;/b&gt; No: text. {new string('d', 600)}">
        {(image is null ? "" : $"<meta property=\"og:image\" content=\"{System.Net.WebUtility.HtmlEncode(image)}\">")}
        {(card is null ? "" : $"<meta name=\"twitter:card\" content=\"{System.Net.WebUtility.HtmlEncode(card)}\">")}
        </head><body><p>Body of {name}</p></body></html>
        """;

    public string Url(string path) => new Uri(BaseAddress, path).AbsoluteUri;

    public IEnumerable<string> Paths => Requests.Select(r => r.Path);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
