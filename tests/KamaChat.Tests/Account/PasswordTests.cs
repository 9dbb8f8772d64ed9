using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Auth;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Account;

public abstract class PasswordTests(MailingApp app)
{
    private const string NewPassword = "a brand new passphrase";
    private readonly HttpClient _client = app.CreateClient();

    private async Task<AuthTokens> LoginAsync(string login, string password = Api.GoodPassword) =>
        await (await _client.PostAsJsonAsync("/api/v1/auth/login", new { login, password })).ReadAsync<AuthTokens>();

    [Fact]
    public async Task A_reset_email_arrives_and_its_link_sets_a_new_password_and_signs_out_every_session()
    {
        var name = Api.UniqueName();
        var email = $"{name}@example.test";
        var laptop = await _client.RegisterAsync(name);
        var phone = await LoginAsync(name);

        var request = await _client.PostAsJsonAsync("/api/v1/auth/password-reset", new { email });
        Assert.Equal(HttpStatusCode.Accepted, request.StatusCode);
        var message = await SmtpServer.WaitForMessageAsync(email, "Reset your KamaChat password");
        var (link, query) = Mail.LinkTo(message, "reset-password");
        Assert.StartsWith(MailingApp.PublicUrl + "/reset-password?", link.AbsoluteUri, StringComparison.Ordinal);

        var confirm = await _client.PostAsJsonAsync("/api/v1/auth/password-reset/confirm",
            new { userId = query["userId"], token = query["token"], newPassword = NewPassword });
        Assert.Equal(HttpStatusCode.NoContent, confirm.StatusCode);

        foreach (var session in new[] { laptop, phone })
        {
            await (await app.CreateClient(session.AccessToken).GetAsync("/api/v1/users/@me"))
                .AssertProblemAsync(HttpStatusCode.Unauthorized, "session_revoked");
            await (await _client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = session.RefreshToken }))
                .AssertProblemAsync(HttpStatusCode.Unauthorized, "session_revoked");
        }
        await (await _client.PostAsJsonAsync("/api/v1/auth/login", new { login = name, password = Api.GoodPassword }))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        await LoginAsync(name, NewPassword);

        // The link is spent.
        await (await _client.PostAsJsonAsync("/api/v1/auth/password-reset/confirm",
                new { userId = query["userId"], token = query["token"], newPassword = "yet another passphrase" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_token");
    }

    [Fact]
    public async Task The_reset_answer_is_identical_for_existing_and_unknown_addresses()
    {
        var name = Api.UniqueName();
        await _client.RegisterAsync(name);
        var unknown = $"{Api.UniqueName("nobody")}@example.test";

        var existing = await _client.PostAsJsonAsync("/api/v1/auth/password-reset", new { email = $"{name}@example.test" });
        var missing = await _client.PostAsJsonAsync("/api/v1/auth/password-reset", new { email = unknown });

        Assert.Equal(HttpStatusCode.Accepted, existing.StatusCode);
        Assert.Equal(existing.StatusCode, missing.StatusCode);
        Assert.Equal(await existing.Content.ReadAsStringAsync(), await missing.Content.ReadAsStringAsync());
        Assert.Equal(existing.Content.Headers.ContentType, missing.Content.Headers.ContentType);
        Assert.Equal(existing.Headers.Select(h => h.Key).Order(), missing.Headers.Select(h => h.Key).Order());

        await SmtpServer.WaitForMessageAsync($"{name}@example.test", "Reset your KamaChat password");
        await Task.Delay(300);
        Assert.Empty(await SmtpServer.MessagesToAsync(unknown));
    }

    [Fact]
    public async Task A_weak_new_password_is_refused_and_leaves_the_link_usable()
    {
        var name = Api.UniqueName();
        var email = $"{name}@example.test";
        await _client.RegisterAsync(name);
        await _client.PostAsJsonAsync("/api/v1/auth/password-reset", new { email });
        var (_, query) = Mail.LinkTo(await SmtpServer.WaitForMessageAsync(email, "Reset your KamaChat password"), "reset-password");

        var weak = await _client.PostAsJsonAsync("/api/v1/auth/password-reset/confirm",
            new { userId = query["userId"], token = query["token"], newPassword = "password123" });
        Assert.NotEmpty((await weak.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed")).FieldErrors("newPassword"));

        var strong = await _client.PostAsJsonAsync("/api/v1/auth/password-reset/confirm",
            new { userId = query["userId"], token = query["token"], newPassword = NewPassword });
        Assert.Equal(HttpStatusCode.NoContent, strong.StatusCode);
    }

    [Fact]
    public async Task Changing_the_password_signs_out_the_other_sessions_but_keeps_this_one()
    {
        var name = Api.UniqueName();
        var laptop = await _client.RegisterAsync(name);
        var phone = await LoginAsync(name);
        var laptopClient = app.CreateClient(laptop.AccessToken);

        var change = await laptopClient.PostAsJsonAsync("/api/v1/users/@me/password",
            new { currentPassword = Api.GoodPassword, newPassword = NewPassword });

        Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await laptopClient.GetAsync("/api/v1/users/@me")).StatusCode);
        await (await app.CreateClient(phone.AccessToken).GetAsync("/api/v1/users/@me"))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "session_revoked");
        await LoginAsync(name, NewPassword);
    }

    [Fact]
    public async Task Changing_the_password_needs_the_current_one()
    {
        var name = Api.UniqueName();
        var authed = app.CreateClient((await _client.RegisterAsync(name)).AccessToken);

        var response = await authed.PostAsJsonAsync("/api/v1/users/@me/password",
            new { currentPassword = "not my password", newPassword = NewPassword });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_password");
        await LoginAsync(name);
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqlitePasswordTests(MailingSqliteApp app) : PasswordTests(app), IClassFixture<MailingSqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresPasswordTests(MailingPostgresApp app) : PasswordTests(app), IClassFixture<MailingPostgresApp>;
