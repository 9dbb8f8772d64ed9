using System.Net;
using KamaChat.Server.Infrastructure.Http;
using KamaChat.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace KamaChat.Tests.Configuration;

/// <summary>A server that lets two other origins call its API (the web client hosted by the desktop app, another site).</summary>
public sealed class CrossOriginApp : KamaChatApp
{
    public const string Desktop = "http://desktop.localhost:5000";

    public override string ProviderName => "sqlite";

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings =>
        [new("KAMACHAT_CORS_ORIGINS", $"{Desktop}/, https://Chat.Example.org")];

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
}

public sealed class CrossOriginTests(CrossOriginApp app) : IClassFixture<CrossOriginApp>
{
    private static HttpRequestMessage Preflight(string origin, string method, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/users/@me");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    [Fact]
    public async Task A_listed_origin_may_send_a_bearer_token_and_read_the_answer()
    {
        var client = app.CreateClient();
        var preflight = await client.SendAsync(Preflight(CrossOriginApp.Desktop, "PATCH", "authorization,content-type,x-audit-log-reason"));

        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal(CrossOriginApp.Desktop, Header(preflight, "Access-Control-Allow-Origin"));
        Assert.Contains("authorization", Header(preflight, "Access-Control-Allow-Headers") ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.Contains("x-audit-log-reason", Header(preflight, "Access-Control-Allow-Headers") ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.Contains("PATCH", Header(preflight, "Access-Control-Allow-Methods") ?? "", StringComparison.Ordinal);
        Assert.Null(Header(preflight, "Access-Control-Allow-Credentials"));

        var token = (await client.RegisterAsync()).AccessToken;
        var me = new HttpRequestMessage(HttpMethod.Get, "/api/v1/users/@me");
        me.Headers.Add("Origin", CrossOriginApp.Desktop);
        me.Headers.Authorization = new("Bearer", token);
        var answer = await client.SendAsync(me);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(CrossOriginApp.Desktop, Header(answer, "Access-Control-Allow-Origin"));
        Assert.Contains("Retry-After", Header(answer, "Access-Control-Expose-Headers") ?? "", StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_problem_answer_is_readable_from_a_listed_origin_too()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/users/@me");
        request.Headers.Add("Origin", "https://chat.example.org");
        var answer = await app.CreateClient().SendAsync(request);

        await answer.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("https://chat.example.org", Header(answer, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task An_unlisted_origin_gets_no_permission()
    {
        var client = app.CreateClient();
        var preflight = await client.SendAsync(Preflight("http://evil.localhost:5000", "GET", "authorization"));
        Assert.Null(Header(preflight, "Access-Control-Allow-Origin"));

        var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Add("Origin", "http://desktop.localhost:5001");
        Assert.Null(Header(await client.SendAsync(request), "Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("chat.example.org")]
    [InlineData("https://chat.example.org/app")]
    [InlineData("https://*.example.org")]
    [InlineData("file:///home/user/index.html")]
    public void An_entry_that_is_not_an_http_origin_refuses_to_start(string entry)
    {
        var options = new CrossOriginOptions();
        CrossOriginOptions.Bind(options, new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["KAMACHAT_CORS_ORIGINS"] = $"https://ok.example.org,{entry}" }).Build());

        Assert.True(new CrossOriginOptionsValidator().Validate(null, options).Failed);
    }
}
