using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Auth;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Tests.Auth;

public abstract class SessionTests(KamaChatApp app)
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Logging_in_works_with_the_email_or_the_username()
    {
        var name = Api.UniqueName();
        var registered = await _client.RegisterAsync(name);

        var byName = await (await _client.PostAsJsonAsync("/api/v1/auth/login", new { login = name, password = Api.GoodPassword }))
            .ReadAsync<AuthTokens>();
        var byEmail = await (await _client.PostAsJsonAsync("/api/v1/auth/login", new { login = $"{name}@example.test", password = Api.GoodPassword }))
            .ReadAsync<AuthTokens>();

        Assert.Equal(registered.User.Id, byName.User.Id);
        Assert.Equal(registered.User.Id, byEmail.User.Id);
        Assert.NotEqual(byName.SessionId, byEmail.SessionId);
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_login_get_the_same_answer()
    {
        var name = Api.UniqueName();
        await _client.RegisterAsync(name);

        var wrong = await _client.PostAsJsonAsync("/api/v1/auth/login", new { login = name, password = "not the password" });
        var unknown = await _client.PostAsJsonAsync("/api/v1/auth/login", new { login = Api.UniqueName(), password = "not the password" });

        var a = await wrong.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var b = await unknown.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal(a.GetProperty("detail").GetString(), b.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one()
    {
        var name = Api.UniqueName();
        await _client.RegisterAsync(name);

        for (var attempt = 0; attempt < 4; attempt++)
            await (await _client.PostAsJsonAsync("/api/v1/auth/login", new { login = name, password = "wrong password" }))
                .AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var fifth = await _client.PostAsJsonAsync("/api/v1/auth/login", new { login = name, password = "wrong password" });
        await fifth.AssertProblemAsync(HttpStatusCode.TooManyRequests, "account_locked");

        var right = await _client.PostAsJsonAsync("/api/v1/auth/login", new { login = name, password = Api.GoodPassword });
        await right.AssertProblemAsync(HttpStatusCode.TooManyRequests, "account_locked");
        Assert.True(right.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task Lockout_looks_the_same_for_an_unknown_name_as_for_a_real_account()
    {
        var real = Api.UniqueName();
        await _client.RegisterAsync(real);
        var unknown = Api.UniqueName();

        async Task<List<string>> AttemptsAsync(string login)
        {
            var outcomes = new List<string>();
            for (var attempt = 0; attempt < 7; attempt++)
            {
                var response = await _client.PostAsJsonAsync("/api/v1/auth/login", new { login, password = "wrong password" });
                var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
                var retry = response.Headers.RetryAfter?.Delta is { } wait ? (wait > TimeSpan.FromMinutes(14) ? " retry≈15min" : $" retry {wait}") : "";
                outcomes.Add($"{(int)response.StatusCode} {problem.GetProperty("code").GetString()}{retry}");
            }
            return outcomes;
        }

        var forReal = await AttemptsAsync(real);
        var forUnknown = await AttemptsAsync(unknown);

        Assert.Equal(forReal, forUnknown);
        Assert.Equal("429 account_locked retry≈15min", forUnknown[4]);
        Assert.Equal("401 invalid_credentials", forUnknown[3]);
    }

    [Fact]
    public async Task A_successful_login_resets_the_failure_count()
    {
        var name = Api.UniqueName();
        await _client.RegisterAsync(name);

        for (var round = 0; round < 2; round++)
        {
            for (var attempt = 0; attempt < 3; attempt++)
                await _client.PostAsJsonAsync("/api/v1/auth/login", new { login = name, password = "wrong password" });
            var ok = await _client.PostAsJsonAsync("/api/v1/auth/login", new { login = name, password = Api.GoodPassword });
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
    }

    [Fact]
    public async Task Refreshing_rotates_the_refresh_token_and_keeps_the_session()
    {
        var first = await _client.RegisterAsync();

        var second = await (await _client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = first.RefreshToken }))
            .ReadAsync<AuthTokens>();

        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.Equal(first.SessionId, second.SessionId);
        var me = await app.CreateClient(second.AccessToken).GetAsync("/api/v1/users/@me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);

        var third = await _client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = second.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task Reusing_a_rotated_refresh_token_revokes_the_whole_session()
    {
        var first = await _client.RegisterAsync();
        var second = await (await _client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = first.RefreshToken }))
            .ReadAsync<AuthTokens>();

        // An attacker replays the stolen, already-rotated token.
        var replay = await _client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = first.RefreshToken });
        await replay.AssertProblemAsync(HttpStatusCode.Unauthorized, "refresh_token_reused");

        // The legitimate holder's newer tokens die with the family.
        var newer = await _client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = second.RefreshToken });
        await newer.AssertProblemAsync(HttpStatusCode.Unauthorized, "session_revoked");
        var me = await app.CreateClient(second.AccessToken).GetAsync("/api/v1/users/@me");
        await me.AssertProblemAsync(HttpStatusCode.Unauthorized, "session_revoked");
        var id = first.SessionId;
        Assert.Equal("refresh_token_reused", await app.QueryAsync(db => db.Sessions.Where(s => s.Id == id).Select(s => s.RevokedReason).SingleAsync()));
    }

    [Fact]
    public async Task An_unknown_refresh_token_is_refused()
    {
        var response = await _client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" });
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
    }

    [Fact]
    public async Task Logging_out_ends_the_session_for_its_access_and_refresh_tokens()
    {
        var tokens = await _client.RegisterAsync();
        var authed = app.CreateClient(tokens.AccessToken);

        var logout = await authed.PostAsync("/api/v1/auth/logout", null);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        await (await authed.GetAsync("/api/v1/users/@me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "session_revoked");
        await (await _client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = tokens.RefreshToken }))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "session_revoked");
    }

    [Fact]
    public async Task Sessions_are_listed_and_another_device_can_be_signed_out()
    {
        var name = Api.UniqueName();
        var laptop = await _client.RegisterAsync(name);
        var phone = await (await _client.PostAsJsonAsync("/api/v1/auth/login", new { login = name, password = Api.GoodPassword }))
            .ReadAsync<AuthTokens>();
        var laptopClient = app.CreateClient(laptop.AccessToken);

        var sessions = await (await laptopClient.GetAsync("/api/v1/auth/sessions")).ReadAsync<List<SessionResponse>>();
        Assert.Equal(2, sessions.Count);
        Assert.True(sessions.Single(s => s.Id == laptop.SessionId).Current);
        Assert.False(sessions.Single(s => s.Id == phone.SessionId).Current);

        var revoke = await laptopClient.DeleteAsync($"/api/v1/auth/sessions/{phone.SessionId}");
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);

        await (await app.CreateClient(phone.AccessToken).GetAsync("/api/v1/users/@me"))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "session_revoked");
        var remaining = await (await laptopClient.GetAsync("/api/v1/auth/sessions")).ReadAsync<List<SessionResponse>>();
        Assert.Equal([laptop.SessionId], remaining.Select(s => s.Id));
    }

    [Fact]
    public async Task Someone_elses_session_cannot_be_revoked_and_is_reported_as_not_found()
    {
        var victim = await _client.RegisterAsync();
        var attacker = app.CreateClient((await _client.RegisterAsync()).AccessToken);

        var response = await attacker.DeleteAsync($"/api/v1/auth/sessions/{victim.SessionId}");

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient(victim.AccessToken).GetAsync("/api/v1/users/@me")).StatusCode);
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteSessionTests(SqliteApp app) : SessionTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresSessionTests(PostgresApp app) : SessionTests(app), IClassFixture<PostgresApp>;
