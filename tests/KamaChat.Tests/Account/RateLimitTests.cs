using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Auth;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Account;

/// <summary>The app with small limits, and a header to pick the client address so each test has buckets of its own.</summary>
public sealed class RateLimitedApp : KamaChatApp
{
    public override string ProviderName => "sqlite";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("RateLimits:Register:PerIp", "2");
        builder.UseSetting("RateLimits:Login:PerAccount", "3");
        builder.UseSetting("RateLimits:PasswordReset:PerIp", "2");
        builder.UseSetting("RateLimits:VerificationResend:PerAccount", "1");
        builder.UseSetting("RateLimits:Mfa:PerIp", "2");
        builder.ConfigureTestServices(services => services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, TestClientIp>());
    }

    public HttpClient ClientFrom(string ip, string? accessToken = null)
    {
        var client = accessToken is null ? CreateClient() : CreateClient(accessToken);
        client.DefaultRequestHeaders.Add(TestClientIp.Header, ip);
        return client;
    }
}

/// <summary>Rate limiting is middleware and memory, not SQL: one provider is enough here.</summary>
[Trait("Provider", "sqlite")]
public sealed class RateLimitTests(RateLimitedApp app) : IClassFixture<RateLimitedApp>
{
    private static async Task AssertLimitedAsync(HttpResponseMessage response)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After must say how long to wait.");
        Assert.True(problem.GetProperty("retryAfterSeconds").GetInt32() > 0);
    }

    [Fact]
    public async Task Sign_ups_are_limited_per_client_address()
    {
        var client = app.ClientFrom("10.0.1.1");
        await client.RegisterAsync();
        await client.RegisterAsync();

        var name = Api.UniqueName();
        await AssertLimitedAsync(await client.PostAsJsonAsync("/api/v1/auth/register",
            new { email = $"{name}@example.test", username = name, password = Api.GoodPassword }));

        await app.ClientFrom("10.0.1.2").RegisterAsync();
    }

    [Fact]
    public async Task Logins_are_limited_per_account_whatever_the_address()
    {
        var name = Api.UniqueName();
        await app.ClientFrom("10.0.2.1").RegisterAsync(name);

        for (var i = 0; i < 3; i++)
            await (await app.ClientFrom($"10.0.2.{10 + i}").PostAsJsonAsync("/api/v1/auth/login", new { login = name, password = "wrong password" }))
                .AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        await AssertLimitedAsync(await app.ClientFrom("10.0.2.20").PostAsJsonAsync("/api/v1/auth/login", new { login = name, password = Api.GoodPassword }));
        // Another account is not held back by this one's limit.
        var other = Api.UniqueName();
        await app.ClientFrom("10.0.2.21").RegisterAsync(other);
        var ok = await app.ClientFrom("10.0.2.20").PostAsJsonAsync("/api/v1/auth/login", new { login = other, password = Api.GoodPassword });
        await ok.ReadAsync<AuthTokens>();
    }

    [Fact]
    public async Task Password_reset_requests_are_limited_per_client_address()
    {
        var client = app.ClientFrom("10.0.3.1");
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.Accepted,
                (await client.PostAsJsonAsync("/api/v1/auth/password-reset", new { email = $"{Api.UniqueName()}@example.test" })).StatusCode);

        await AssertLimitedAsync(await client.PostAsJsonAsync("/api/v1/auth/password-reset", new { email = $"{Api.UniqueName()}@example.test" }));
    }

    [Fact]
    public async Task Resending_the_verification_email_is_limited_per_account()
    {
        var tokens = await app.ClientFrom("10.0.4.1").RegisterAsync();
        var client = app.ClientFrom("10.0.4.1", tokens.AccessToken);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/v1/auth/verify-email/resend", null)).StatusCode);
        await AssertLimitedAsync(await app.ClientFrom("10.0.4.2", tokens.AccessToken).PostAsync("/api/v1/auth/verify-email/resend", null));
    }

    [Fact]
    public async Task The_second_login_step_is_limited_per_client_address()
    {
        var client = app.ClientFrom("10.0.5.1");
        for (var i = 0; i < 2; i++)
            await (await client.PostAsJsonAsync("/api/v1/auth/login/mfa", new { mfaTicket = "CfDJ8-not-a-real-ticket-at-all", code = "123456" }))
                .AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_mfa_ticket");

        await AssertLimitedAsync(await client.PostAsJsonAsync("/api/v1/auth/login/mfa", new { mfaTicket = "CfDJ8-not-a-real-ticket-at-all", code = "123456" }));
    }
}
