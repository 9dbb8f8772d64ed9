using System.Net;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace KamaChat.Tests.Http;

/// <summary>
/// The server executable as production runs it (NODE_ENV=production, its own port and data directory, API docs off):
/// the environment is decided at start-up, which an in-memory test host cannot change.
/// </summary>
public sealed class ProductionServer : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("kamachat-production-").FullName;
    private ServiceProcess _process = null!;

    public Uri Address { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var port = ServiceProcess.FreeLoopbackPort();
        _process = ServiceProcess.Start("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "KamaChat.Server.dll")}\"", new Dictionary<string, string>
        {
            ["NODE_ENV"] = "production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["HOST"] = "127.0.0.1",
            ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["JWT_SECRET"] = KamaChatApp.JwtSecret,
            ["KAMACHAT_DATA_DIR"] = _data,
            ["DATABASE_URL"] = "sqlite://" + Path.Combine(_data, "kamachat.db"),
            ["KAMACHAT_API_DOCS"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
        }, _data);
        await _process.WaitForPortAsync(port, TimeSpan.FromSeconds(60));
        Address = new Uri($"http://127.0.0.1:{port}/");
    }

    /// <summary>A request as it arrives from nginx on this machine, for a client at <c>chat.example.test</c>.</summary>
    public HttpRequestMessage Request(string path, string? forwardedProto = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Address, path));
        request.Headers.Host = "chat.example.test";
        if (forwardedProto is not null)
        {
            request.Headers.Add("X-Forwarded-Proto", forwardedProto);
            request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        }
        return request;
    }

    public async Task DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}

[Trait("Provider", "sqlite")]
public sealed class HeaderTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Api_responses_are_not_kept_by_caches()
    {
        var me = await app.UserAsync();

        var profile = await me.Client.GetAsync("/api/v1/users/@me");
        var problem = await me.Client.GetAsync("/api/v1/users/1");

        Assert.True(profile.Headers.CacheControl?.NoStore, profile.Headers.CacheControl?.ToString());
        Assert.True(problem.Headers.CacheControl?.NoStore, problem.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task The_csp_lets_the_page_connect_to_its_own_origin_only()
    {
        var response = await app.CreateClient().GetAsync("/");

        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        var connect = policy.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("connect-src ", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
        Assert.Equal(["'self'", "ws://localhost"], connect);
    }

    [Fact]
    public async Task The_openapi_document_does_not_echo_the_host_header()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        request.Headers.Host = "attacker.example.test";

        var document = await (await app.CreateClient().SendAsync(request)).Content.ReadAsStringAsync();

        Assert.Contains("\"/api/v1/auth/login\"", document, StringComparison.Ordinal);
        Assert.DoesNotContain("attacker.example.test", document, StringComparison.Ordinal);
    }

    [Fact]
    public void The_development_signing_key_file_is_readable_by_its_owner_only()
    {
        var data = Directory.CreateTempSubdirectory("kamachat-jwt-").FullName;
        try
        {
            var options = new JwtOptions();
            JwtOptions.Bind(options, new ConfigurationBuilder().Build(), new DevelopmentHost(), new ServerOptions { DataDirectory = data });

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data, "jwt-secret")));
            // A second start reads the same key back.
            var again = new JwtOptions();
            JwtOptions.Bind(again, new ConfigurationBuilder().Build(), new DevelopmentHost(), new ServerOptions { DataDirectory = data });
            Assert.Equal(options.SigningKey, again.SigningKey);
            Assert.Equal(48, options.SigningKey.Length);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private sealed class DevelopmentHost : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Development;

        public string ApplicationName { get; set; } = "KamaChat.Server";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}

[Trait("Provider", "sqlite")]
[Collection(RunAlone.Name)]
public sealed class ProductionHeaderTests(ProductionServer server) : IClassFixture<ProductionServer>
{
    private static readonly HttpClient Client = new();

    [Fact]
    public async Task Behind_a_trusted_proxy_that_terminated_tls_production_answers_with_hsts()
    {
        var response = await Client.SendAsync(server.Request("/healthz", forwardedProto: "https"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TryGetValues("Strict-Transport-Security", out var hsts), "no HSTS over https");
        Assert.StartsWith("max-age=", Assert.Single(hsts), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_plain_http_there_is_no_hsts()
    {
        var response = await Client.SendAsync(server.Request("/healthz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task The_api_docs_can_be_switched_off()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Client.SendAsync(server.Request("/docs"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.SendAsync(server.Request("/openapi/v1.json"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(server.Request("/healthz"))).StatusCode);
    }
}
