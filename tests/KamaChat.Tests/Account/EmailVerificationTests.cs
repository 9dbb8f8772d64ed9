using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Users;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Tests.Account;

public abstract class EmailVerificationTests(MailingApp app)
{
    private readonly HttpClient _client = app.CreateClient();

    private static async Task<Dictionary<string, string>> VerificationLinkAsync(string email, int count = 1)
    {
        var messages = await SmtpServer.WaitForMessagesAsync(email, "Verify your email address", count);
        var (link, query) = Mail.LinkTo(messages[^1], "verify-email");
        Assert.StartsWith(MailingApp.PublicUrl + "/verify-email?", link.AbsoluteUri, StringComparison.Ordinal);
        return query;
    }

    [Fact]
    public async Task Signing_up_sends_a_verification_email_over_smtp_whose_link_verifies_the_address()
    {
        var name = Api.UniqueName();
        var tokens = await _client.RegisterAsync(name);
        Assert.False(tokens.User.EmailVerified);

        var query = await VerificationLinkAsync($"{name}@example.test");
        Assert.Equal(tokens.User.Id.ToString(), query["userId"]);

        var verified = await (await _client.PostAsJsonAsync("/api/v1/auth/verify-email", new { userId = query["userId"], token = query["token"] }))
            .ReadAsync<MeResponse>();
        Assert.True(verified.EmailVerified);
        var me = await app.CreateClient(tokens.AccessToken).GetFromJsonAsync<MeResponse>("/api/v1/users/@me", Api.Json);
        Assert.True(me!.EmailVerified);
    }

    [Fact]
    public async Task A_verification_link_works_only_once()
    {
        var name = Api.UniqueName();
        await _client.RegisterAsync(name);
        var query = await VerificationLinkAsync($"{name}@example.test");
        var body = new { userId = query["userId"], token = query["token"] };

        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsJsonAsync("/api/v1/auth/verify-email", body)).StatusCode);
        await (await _client.PostAsJsonAsync("/api/v1/auth/verify-email", body)).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_token");
    }

    [Theory]
    [InlineData("not-a-number", "token")]
    [InlineData("999999999999", "token")]
    [InlineData(null, "CfDJ8forged")]
    public async Task Forged_tokens_and_unknown_users_are_refused_alike(string? userId, string token)
    {
        var tokens = await _client.RegisterAsync();
        var response = await _client.PostAsJsonAsync("/api/v1/auth/verify-email", new { userId = userId ?? tokens.User.Id.ToString(), token });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_token");
    }

    [Fact]
    public async Task The_VerifiedEmail_policy_refuses_unverified_accounts_until_they_verify()
    {
        var name = Api.UniqueName();
        var tokens = await _client.RegisterAsync(name);
        var authed = app.CreateClient(tokens.AccessToken);

        await (await authed.GetAsync(MailingApp.VerifiedOnlyPath)).AssertProblemAsync(HttpStatusCode.Forbidden, "email_not_verified");
        // The real endpoints that let an account reach other people: creating or joining a server, sending a message.
        await (await authed.PostAsJsonAsync("/api/v1/servers", new { name = "Mine" })).AssertProblemAsync(HttpStatusCode.Forbidden, "email_not_verified");
        await (await authed.PostAsync("/api/v1/invites/doesnotexist/join", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "email_not_verified");
        await (await authed.PostAsJsonAsync("/api/v1/channels/1/messages", new { content = "hi" })).AssertProblemAsync(HttpStatusCode.Forbidden, "email_not_verified");
        Assert.Equal(0, await app.QueryAsync(db => db.Servers.CountAsync(s => s.Name == "Mine")));

        var query = await VerificationLinkAsync($"{name}@example.test");
        await _client.PostAsJsonAsync("/api/v1/auth/verify-email", new { userId = query["userId"], token = query["token"] });

        // The same access token: the policy reads the account, not a claim frozen at sign-in.
        Assert.Equal(HttpStatusCode.OK, (await authed.GetAsync(MailingApp.VerifiedOnlyPath)).StatusCode);
        var server = await (await authed.PostAsJsonAsync("/api/v1/servers", new { name = "Mine" })).ReadAsync<Server.Features.Servers.ServerResponse>(HttpStatusCode.Created);
        var general = (await (await authed.GetAsync($"/api/v1/servers/{server.Id}/channels")).ReadAsync<List<Server.Features.Channels.ChannelResponse>>()).Single();
        Assert.Equal(HttpStatusCode.Created, (await authed.PostAsJsonAsync($"/api/v1/channels/{general.Id}/messages", new { content = "verified at last" })).StatusCode);
    }

    [Fact]
    public async Task Resending_mails_a_new_working_link_and_is_refused_once_verified()
    {
        var name = Api.UniqueName();
        var authed = app.CreateClient((await _client.RegisterAsync(name)).AccessToken);
        await VerificationLinkAsync($"{name}@example.test");

        Assert.Equal(HttpStatusCode.Accepted, (await authed.PostAsync("/api/v1/auth/verify-email/resend", null)).StatusCode);
        var query = await VerificationLinkAsync($"{name}@example.test", count: 2);
        Assert.Equal(HttpStatusCode.OK,
            (await _client.PostAsJsonAsync("/api/v1/auth/verify-email", new { userId = query["userId"], token = query["token"] })).StatusCode);

        await (await authed.PostAsync("/api/v1/auth/verify-email/resend", null)).AssertProblemAsync(HttpStatusCode.Conflict, "email_already_verified");
    }

    [Fact]
    public async Task A_new_email_address_takes_effect_only_when_its_confirmation_link_is_used()
    {
        var name = Api.UniqueName();
        var tokens = await _client.RegisterAsync(name);
        var authed = app.CreateClient(tokens.AccessToken);
        var newEmail = $"{name}.new@example.test";

        var change = await authed.PostAsJsonAsync("/api/v1/users/@me/email", new { newEmail, password = Api.GoodPassword });
        Assert.Equal(HttpStatusCode.Accepted, change.StatusCode);
        var unchanged = await authed.GetFromJsonAsync<MeResponse>("/api/v1/users/@me", Api.Json);
        Assert.Equal($"{name}@example.test", unchanged!.Email);

        var message = await SmtpServer.WaitForMessageAsync(newEmail, "Confirm your new email address");
        var (_, query) = Mail.LinkTo(message, "confirm-email-change");
        Assert.Equal(newEmail, query["newEmail"]);
        var confirmed = await (await _client.PostAsJsonAsync("/api/v1/auth/confirm-email-change",
            new { userId = query["userId"], newEmail = query["newEmail"], token = query["token"] })).ReadAsync<MeResponse>();

        Assert.Equal(newEmail, confirmed.Email);
        Assert.True(confirmed.EmailVerified);
        var login = await _client.PostAsJsonAsync("/api/v1/auth/login", new { login = newEmail, password = Api.GoodPassword });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        // Used once, the link is spent.
        await (await _client.PostAsJsonAsync("/api/v1/auth/confirm-email-change",
                new { userId = query["userId"], newEmail = query["newEmail"], token = query["token"] }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_token");
    }

    [Fact]
    public async Task Changing_email_needs_the_password_and_a_free_address()
    {
        var taken = Api.UniqueName();
        await _client.RegisterAsync(taken);
        var name = Api.UniqueName();
        var authed = app.CreateClient((await _client.RegisterAsync(name)).AccessToken);

        await (await authed.PostAsJsonAsync("/api/v1/users/@me/email", new { newEmail = $"{name}.x@example.test", password = "wrong password" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_password");
        await (await authed.PostAsJsonAsync("/api/v1/users/@me/email", new { newEmail = $"{taken}@example.test", password = Api.GoodPassword }))
            .AssertProblemAsync(HttpStatusCode.Conflict, "email_taken");
        var invalid = await authed.PostAsJsonAsync("/api/v1/users/@me/email", new { newEmail = "nope", password = Api.GoodPassword });
        Assert.NotEmpty((await invalid.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed")).FieldErrors("newEmail"));
        Assert.Empty(await SmtpServer.MessagesToAsync($"{name}.x@example.test"));
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteEmailVerificationTests(MailingSqliteApp app) : EmailVerificationTests(app), IClassFixture<MailingSqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresEmailVerificationTests(MailingPostgresApp app) : EmailVerificationTests(app), IClassFixture<MailingPostgresApp>;
