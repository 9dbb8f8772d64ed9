using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Auth;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Http;

/// <summary>Behind configured proxies (one address, one network), with a small per-address sign-up limit.</summary>
public sealed class ProxiedApp : KamaChatApp
{
    public const string Proxy = "10.20.0.5";

    public override string ProviderName => "sqlite";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings =>
    [
        new("KNOWN_PROXIES", Proxy),
        new("KNOWN_NETWORKS", "10.30.0.0/16"),
        new("RateLimits:Register:PerIp", "2"),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, TestClientIp>());
    }

    /// <summary>A client whose requests arrive from <paramref name="peer"/>, claiming to forward for <paramref name="forwardedFor"/>.</summary>
    public HttpClient Through(string peer, string? forwardedFor)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(TestClientIp.Header, peer);
        if (forwardedFor is not null)
            client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        return client;
    }
}

/// <summary>Per-address limits and recorded addresses use the client's address, which only a trusted proxy may tell.</summary>
[Trait("Provider", "sqlite")]
public sealed class ForwardedHeadersTests(ProxiedApp app) : IClassFixture<ProxiedApp>
{
    private static Task<HttpResponseMessage> SignUpAsync(HttpClient client)
    {
        var name = Api.UniqueName();
        return client.PostAsJsonAsync("/api/v1/auth/register", new { email = $"{name}@example.test", username = name, password = Api.GoodPassword });
    }

    [Theory]
    [InlineData(ProxiedApp.Proxy)]
    [InlineData("10.30.4.2")]
    public async Task Behind_a_trusted_proxy_each_client_address_has_a_limit_of_its_own(string proxy)
    {
        var first = app.Through(proxy, $"203.0.113.{(proxy == ProxiedApp.Proxy ? 1 : 11)}");
        var second = app.Through(proxy, $"203.0.113.{(proxy == ProxiedApp.Proxy ? 2 : 12)}");

        Assert.Equal(HttpStatusCode.Created, (await SignUpAsync(first)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await SignUpAsync(first)).StatusCode);
        await (await SignUpAsync(first)).AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");

        Assert.Equal(HttpStatusCode.Created, (await SignUpAsync(second)).StatusCode);
    }

    [Fact]
    public async Task An_untrusted_peer_cannot_choose_its_address_with_a_forwarded_header()
    {
        Assert.Equal(HttpStatusCode.Created, (await SignUpAsync(app.Through("198.51.100.7", "192.0.2.1"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await SignUpAsync(app.Through("198.51.100.7", "192.0.2.2"))).StatusCode);

        await (await SignUpAsync(app.Through("198.51.100.7", "192.0.2.3"))).AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Fact]
    public async Task A_client_cannot_slip_an_address_past_the_trusted_proxy()
    {
        // The proxy appends the address it saw to whatever the client sent; only that last hop is believed.
        var tokens = await (await SignUpAsync(app.Through(ProxiedApp.Proxy, "192.0.2.99, 203.0.113.50"))).ReadAsync<AuthTokens>(HttpStatusCode.Created);

        var sessions = await (await app.CreateClient(tokens.AccessToken).GetAsync("/api/v1/auth/sessions")).ReadAsync<List<SessionResponse>>();
        Assert.Equal("203.0.113.50", Assert.Single(sessions).IpAddress);
    }
}
