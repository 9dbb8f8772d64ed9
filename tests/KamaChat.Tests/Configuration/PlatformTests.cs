using System.Net;
using System.Text.Json;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Configuration;

public abstract class PlatformTests(KamaChatApp app)
{
    [Fact]
    public async Task Liveness_and_readiness_answer_healthy_with_the_database_up()
    {
        var client = app.CreateClient();

        Assert.Equal("Healthy", await client.GetStringAsync("/healthz"));
        var ready = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_api_path_is_a_not_found_problem()
    {
        await (await app.CreateClient().GetAsync("/api/v1/nothing-here")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_wrong_method_is_a_problem_too()
    {
        var response = await app.CreateClient().DeleteAsync("/api/v1/auth/login");

        await response.AssertProblemAsync(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqlitePlatformTests(SqliteApp app) : PlatformTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresPlatformTests(PostgresApp app) : PlatformTests(app), IClassFixture<PostgresApp>;

public sealed class ApiDocumentTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task The_openapi_document_lists_every_endpoint_with_typed_responses()
    {
        var document = JsonDocument.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = document.GetProperty("paths");

        string[] expected =
        [
            "/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout",
            "/api/v1/auth/sessions", "/api/v1/auth/sessions/{id}", "/api/v1/users/@me", "/api/v1/users/{id}",
        ];
        foreach (var path in expected)
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");

        var login = paths.GetProperty("/api/v1/auth/login").GetProperty("post").GetProperty("responses");
        Assert.True(login.TryGetProperty("200", out _));
        Assert.True(login.TryGetProperty("401", out _) || login.TryGetProperty("default", out _) || login.EnumerateObject().Count() > 1);
        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("AuthTokens", out _));
    }

    [Fact]
    public async Task The_interactive_docs_are_served()
    {
        var response = await app.CreateClient().GetAsync("/docs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("KamaChat API", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Responses_carry_security_headers()
    {
        var response = await app.CreateClient().GetAsync("/healthz");

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }
}
