using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using KamaChat.Server.Features.Auth;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace KamaChat.Tests.Auth;

/// <summary>Every way a bearer token can be wrong, built here independently of the server's token code.</summary>
public sealed class AccessTokenTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task A_protected_endpoint_without_a_token_is_unauthorized()
    {
        var response = await app.CreateClient().GetAsync("/api/v1/users/@me");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task A_token_validated_by_one_request_is_remembered_for_the_next()
    {
        var real = await app.CreateClient().RegisterAsync();

        var response = await app.CreateClient(real.AccessToken).GetAsync("/api/v1/users/@me");

        response.EnsureSuccessStatusCode();
        var bearer = app.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
        Assert.True(app.Services.GetRequiredService<ValidatedTokens>().Remembers(real.AccessToken, bearer.TokenValidationParameters));
    }

    [Fact]
    public async Task An_expired_token_is_refused_as_expired()
    {
        var real = await app.CreateClient().RegisterAsync();
        var token = Forge(real, KamaChatApp.JwtSecret, expires: DateTime.UtcNow.AddMinutes(-5), issuedAt: DateTime.UtcNow.AddMinutes(-20));

        var response = await app.CreateClient(token).GetAsync("/api/v1/users/@me");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "token_expired");
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        var real = await app.CreateClient().RegisterAsync();
        var token = Forge(real, "another-secret-that-is-also-long-enough-to-sign!!");

        var response = await app.CreateClient(token).GetAsync("/api/v1/users/@me");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task A_correctly_signed_token_for_another_audience_is_refused()
    {
        var real = await app.CreateClient().RegisterAsync();
        var token = Forge(real, KamaChatApp.JwtSecret, audience: "someone-else");

        var response = await app.CreateClient(token).GetAsync("/api/v1/users/@me");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task An_unsigned_alg_none_token_is_refused()
    {
        var real = await app.CreateClient().RegisterAsync();
        static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        var token = B64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." +
            B64($"{{\"sub\":\"{real.User.Id}\",\"sid\":\"{real.SessionId}\",\"iss\":\"kamachat\",\"aud\":\"kamachat\",\"exp\":{exp}}}") + ".";

        var response = await app.CreateClient(token).GetAsync("/api/v1/users/@me");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task A_token_signed_with_another_hmac_algorithm_is_refused()
    {
        var real = await app.CreateClient().RegisterAsync();
        var token = Forge(real, KamaChatApp.JwtSecret + KamaChatApp.JwtSecret, algorithm: SecurityAlgorithms.HmacSha512);

        var response = await app.CreateClient(token).GetAsync("/api/v1/users/@me");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task A_well_formed_token_naming_a_session_that_does_not_exist_is_refused()
    {
        var real = await app.CreateClient().RegisterAsync();
        var token = Forge(real with { SessionId = new Snowflake(12345) }, KamaChatApp.JwtSecret);

        var response = await app.CreateClient(token).GetAsync("/api/v1/users/@me");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "session_revoked");
    }

    [Fact]
    public async Task A_garbage_authorization_header_is_unauthorized_not_an_error()
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not.a.jwt");

        var response = await client.GetAsync("/api/v1/users/@me");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_token");
    }

    private static string Forge(AuthTokens real, string secret, DateTime? expires = null, DateTime? issuedAt = null,
        string audience = "kamachat", string algorithm = SecurityAlgorithms.HmacSha256)
    {
        var now = issuedAt ?? DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "kamachat",
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = expires ?? now.AddMinutes(10),
            Subject = new ClaimsIdentity([new Claim("sub", real.User.Id.ToString()), new Claim("sid", real.SessionId.ToString())]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), algorithm),
        });
    }
}
