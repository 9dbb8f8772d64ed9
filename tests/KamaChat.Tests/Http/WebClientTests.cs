using System.IO.Compression;
using System.Net;
using System.Text;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace KamaChat.Tests.Http;

/// <summary>
/// The server with a web root of its own (KAMACHAT_WEB_ROOT) laid out as `npm run build` leaves web/dist: a fingerprinted
/// script under assets/ and index.html, each with the .br and .gz copies web/scripts/precompress.mjs writes, and an
/// unhashed service worker too small to be compressed. Next to the web root, a file the server must never send.
/// </summary>
public sealed class WebClientApp : KamaChatApp
{
    public const string Script = "/assets/index-Bq3xYz12.js";

    /// <summary>A file with copies older than itself, from an earlier build.</summary>
    public const string StaleCopies = "/theme-init.js";

    public WebClientApp()
    {
        WebRoot = Directory.CreateDirectory(Path.Combine(DataDirectory, "web")).FullName;
        Directory.CreateDirectory(Path.Combine(WebRoot, "assets"));
        var page = "<!doctype html><title>KamaChat test client</title>\n" +
                   string.Concat(Enumerable.Range(0, 40).Select(i => $"<p>Paragraph {i} of the page, long enough to be compressed.</p>\n"));
        var script = string.Concat(Enumerable.Range(0, 200).Select(i => $"export const value{i} = 'a value the client needs ({i})';\n"));
        WriteWithCopies("index.html", page);
        WriteWithCopies(Script, script);
        File.WriteAllText(Path.Combine(WebRoot, "sw.js"), "self.addEventListener('fetch', () => {});\n");
        // An earlier build's copies left beside a file this build wrote without copies.
        WriteWithCopies(StaleCopies, script);
        foreach (var copy in new[] { ".br", ".gz" })
            File.SetLastWriteTimeUtc(Path.Combine(WebRoot, StaleCopies.TrimStart('/') + copy), DateTime.UtcNow.AddHours(-1));
        File.WriteAllText(Path.Combine(WebRoot, StaleCopies.TrimStart('/')), "export const rebuilt = true;\n");
        WriteWithCopies(Path.Combine("..", "outside.js"), "export const secret = 'outside the web root';\n" + script);
    }

    public string WebRoot { get; }

    public override string ProviderName => "sqlite";

    /// <summary>A file's bytes as the build wrote them.</summary>
    public byte[] Original(string path) => File.ReadAllBytes(Path.Combine(WebRoot, path.TrimStart('/')));

    /// <summary>An origin allowed to call the server (a hosted client): CORS answers it, and varies by Origin.</summary>
    public const string HostedClient = "https://client.example.test";

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings =>
        [new("KAMACHAT_WEB_ROOT", WebRoot), new("KAMACHAT_CORS_ORIGINS", $"{HostedClient},https://other-client.example.test")];

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));

    private void WriteWithCopies(string path, string content)
    {
        var file = Path.Combine(WebRoot, path.TrimStart('/'));
        var bytes = Encoding.UTF8.GetBytes(content);
        File.WriteAllBytes(file, bytes);
        using (var brotli = new BrotliStream(File.Create(file + ".br"), CompressionLevel.SmallestSize))
            brotli.Write(bytes);
        using (var gzip = new GZipStream(File.Create(file + ".gz"), CompressionLevel.SmallestSize))
            gzip.Write(bytes);
    }
}

[Trait("Provider", "sqlite")]
public sealed class WebClientTests(WebClientApp app) : IClassFixture<WebClientApp>
{
    [Theory]
    [InlineData("gzip, deflate, br, zstd", "br")]
    [InlineData("br", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("gzip;q=1, br;q=0.5", "gzip")]
    [InlineData("*", "br")]
    [InlineData("br;q=0, *", "gzip")]
    public async Task A_script_goes_out_in_the_best_accepted_encoding_and_decodes_to_the_built_file(string acceptEncoding, string expected)
    {
        var response = await GetAsync(WebClientApp.Script, acceptEncoding);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([expected], response.Content.Headers.ContentEncoding);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        // A compressed body is sent whole: a range of it is not offered.
        Assert.False(response.Headers.Contains("Accept-Ranges"));
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        Assert.True(body.Length < app.Original(WebClientApp.Script).Length);
        Assert.Equal(app.Original(WebClientApp.Script), Decode(expected, body));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("br;q=0, gzip;q=0")]
    [InlineData("deflate, zstd")]
    [InlineData("identity")]
    public async Task A_client_that_takes_neither_gets_the_file_itself(string? acceptEncoding)
    {
        var response = await GetAsync(WebClientApp.Script, acceptEncoding);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        // Caches keep this answer apart from the compressed ones.
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        Assert.Equal(app.Original(WebClientApp.Script), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Each_encoding_has_its_own_etag_and_revalidates_against_it()
    {
        var tags = new List<string>();
        foreach (var encoding in new[] { "br", "gzip", "identity" })
        {
            var response = await GetAsync(WebClientApp.Script, encoding);
            var tag = response.Headers.ETag!;
            tags.Add(tag.Tag);

            var again = await GetAsync(WebClientApp.Script, encoding, request => request.Headers.IfNoneMatch.Add(tag));
            Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
            Assert.Equal(tag, again.Headers.ETag);
            Assert.Contains("Accept-Encoding", again.Headers.Vary);
            Assert.Empty(await again.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal(3, tags.Distinct().Count());
    }

    [Fact]
    public async Task Varying_by_encoding_keeps_the_other_reasons_an_answer_varies()
    {
        var response = await GetAsync(WebClientApp.Script, "br", request => request.Headers.Add("Origin", WebClientApp.HostedClient));

        Assert.Equal(WebClientApp.HostedClient, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Origin", response.Headers.Vary);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
    }

    [Fact]
    public async Task A_head_request_describes_the_compressed_body_without_sending_it()
    {
        var response = await GetAsync(WebClientApp.Script, "br", request => request.Method = HttpMethod.Head);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["br"], response.Content.Headers.ContentEncoding);
        Assert.Equal(new FileInfo(Path.Combine(app.WebRoot, "assets", "index-Bq3xYz12.js.br")).Length, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_range_of_a_compressed_body_is_refused_and_the_whole_body_sent()
    {
        var compressed = await GetAsync(WebClientApp.Script, "gzip", request => request.Headers.Range = new(0, 9));
        var identity = await GetAsync(WebClientApp.Script, null, request => request.Headers.Range = new(0, 9));

        Assert.Equal(HttpStatusCode.OK, compressed.StatusCode);
        Assert.Equal(app.Original(WebClientApp.Script), Decode("gzip", await compressed.Content.ReadAsByteArrayAsync()));
        Assert.Equal(HttpStatusCode.PartialContent, identity.StatusCode);
        Assert.Equal(app.Original(WebClientApp.Script)[..10], await identity.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_fingerprinted_file_is_cached_for_a_year_without_revalidation()
    {
        foreach (var encoding in new[] { "br", "gzip", "identity" })
        {
            var response = await GetAsync(WebClientApp.Script, encoding);

            Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl?.ToString());
        }
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/index.html")]
    [InlineData("/channels/123/456")]
    [InlineData("/sw.js")]
    public async Task A_file_whose_name_stays_across_deploys_is_revalidated_on_every_use(string path)
    {
        var response = await GetAsync(path, "gzip, br");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoCache, response.Headers.CacheControl?.ToString());
        Assert.Null(response.Headers.CacheControl?.MaxAge);
        Assert.False(response.Headers.CacheControl?.Public);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/channels/123/456")]
    public async Task The_page_and_the_client_routes_go_out_compressed(string path)
    {
        var response = await GetAsync(path, "gzip, br");

        Assert.Equal(["br"], response.Content.Headers.ContentEncoding);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(app.Original("index.html"), Decode("br", await response.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task A_file_without_copies_goes_out_as_it_is()
    {
        var response = await GetAsync("/sw.js", "gzip, br");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Equal(app.Original("sw.js"), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task An_earlier_builds_copies_beside_a_rebuilt_file_are_not_sent()
    {
        var response = await GetAsync(WebClientApp.StaleCopies, "gzip, br");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Equal(app.Original(WebClientApp.StaleCopies), await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData(WebClientApp.Script + ".br", "br")]
    [InlineData(WebClientApp.Script + ".gz", null)]
    [InlineData("/index.html.gz", "gzip")]
    [InlineData("/assets/missing.js", "br")]
    public async Task A_copy_asked_for_by_its_own_name_is_not_found(string path, string? acceptEncoding)
    {
        var response = await GetAsync(path, acceptEncoding);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.DoesNotContain("value the client needs", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/../outside.js")]
    [InlineData("/assets/../../outside.js")]
    public async Task A_path_that_leaves_the_web_root_finds_nothing_there_nor_its_copies(string path)
    {
        // The in-memory server takes the path as given: no client or Kestrel tidies the dot segments away first.
        foreach (var encoding in new[] { "br", "gzip", "" })
        {
            var context = await app.Server.SendAsync(c =>
            {
                c.Request.Method = HttpMethods.Get;
                c.Request.Path = path;
                c.Request.Headers.AcceptEncoding = encoding;
            });

            Assert.Equal(StatusCodes.Status404NotFound, context.Response.StatusCode);
            Assert.False(context.Response.Headers.ContainsKey("Content-Encoding"));
            using var body = new StreamReader(context.Response.Body);
            Assert.DoesNotContain("outside the web root", await body.ReadToEndAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Api_answers_are_not_touched()
    {
        var response = await GetAsync("/api/v1/users/@me", "gzip, br");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.True(response.Headers.CacheControl?.NoStore, response.Headers.CacheControl?.ToString());
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? acceptEncoding, Action<HttpRequestMessage>? change = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptEncoding is not null)
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        change?.Invoke(request);
        return await app.CreateClient().SendAsync(request);
    }

    private static byte[] Decode(string encoding, byte[] body)
    {
        using var input = new MemoryStream(body);
        using Stream decoder = encoding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }
}
