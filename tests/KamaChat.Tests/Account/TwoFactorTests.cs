using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KamaChat.Server.Features.Account;
using KamaChat.Server.Features.Auth;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Tests.Account;

/// <summary>
/// TOTP 2FA. Codes come from the tests' own RFC 6238 implementation and the real clock (Identity's TOTP reads
/// the system clock). A test uses codes of increasing steps only (previous, current, next), because an accepted
/// step can never be used again; it first waits, if needed, so that the steps do not roll over mid-test.
/// </summary>
public abstract class TwoFactorTests(MailingApp app)
{
    private readonly HttpClient _client = app.CreateClient();

    private sealed record Account(string Name, AuthTokens Tokens, HttpClient Client, string Secret);

    private async Task<Account> EnrolledAsync()
    {
        var name = Api.UniqueName();
        var tokens = await _client.RegisterAsync(name);
        var client = app.CreateClient(tokens.AccessToken);
        var enrollment = await (await client.PostAsync("/api/v1/auth/2fa/enroll", null)).ReadAsync<TwoFactorEnrollment>();
        return new Account(name, tokens, client, enrollment.Secret);
    }

    private static async Task<List<string>> TurnOnAsync(Account account, int step = -1)
    {
        var response = await account.Client.PostAsJsonAsync("/api/v1/auth/2fa/confirm", new { code = TotpCodes.Now(account.Secret, step) });
        return (await response.ReadAsync<RecoveryCodesResponse>()).RecoveryCodes.ToList();
    }

    private async Task<string> PasswordStepAsync(string login)
    {
        var response = await _client.PostAsJsonAsync("/api/v1/auth/login", new { login, password = Api.GoodPassword });
        var body = await response.ReadAsync<JsonElement>();
        Assert.True(body.GetProperty("mfaRequired").GetBoolean());
        Assert.False(body.TryGetProperty("accessToken", out _));
        return body.GetProperty("mfaTicket").GetString()!;
    }

    private Task<HttpResponseMessage> SecondStepAsync(string ticket, string? code = null, string? recoveryCode = null) =>
        _client.PostAsJsonAsync("/api/v1/auth/login/mfa", new { mfaTicket = ticket, code, recoveryCode });

    [Fact]
    public async Task Enrolling_returns_the_secret_an_otpauth_uri_and_a_qr_code()
    {
        var name = Api.UniqueName();
        var client = app.CreateClient((await _client.RegisterAsync(name)).AccessToken);

        var enrollment = await (await client.PostAsync("/api/v1/auth/2fa/enroll", null)).ReadAsync<TwoFactorEnrollment>();

        Assert.Matches("^[A-Z2-7]{16,}$", enrollment.Secret);
        Assert.Equal($"otpauth://totp/KamaChat%3A{name}?secret={enrollment.Secret}&issuer=KamaChat&algorithm=SHA1&digits=6&period=30",
            enrollment.OtpauthUri);
        Assert.Contains("<svg", enrollment.QrCodeSvg, StringComparison.Ordinal);
        var status = await client.GetFromJsonAsync<TwoFactorStatus>("/api/v1/auth/2fa", Api.Json);
        Assert.False(status!.Enabled);
    }

    [Fact]
    public async Task With_2fa_on_login_needs_a_code_after_the_password_and_a_used_code_is_refused()
    {
        await TotpCodes.WaitForFreshStepAsync();
        var account = await EnrolledAsync();
        // A code from the previous step is still accepted (clock skew).
        var recoveryCodes = await TurnOnAsync(account, step: -1);
        Assert.Equal(10, recoveryCodes.Distinct().Count());

        var ticket = await PasswordStepAsync(account.Name);
        var code = TotpCodes.Now(account.Secret);
        var tokens = await (await SecondStepAsync(ticket, code)).ReadAsync<AuthTokens>();
        Assert.Equal(account.Tokens.User.Id, tokens.User.Id);
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient(tokens.AccessToken).GetAsync("/api/v1/users/@me")).StatusCode);

        // Replayed (a shoulder-surfer, a phishing proxy): the same code within its window is refused.
        var again = await PasswordStepAsync(account.Name);
        await (await SecondStepAsync(again, code)).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_code");
        // The next step's code still works.
        Assert.Equal(HttpStatusCode.OK, (await SecondStepAsync(again, TotpCodes.Now(account.Secret, 1))).StatusCode);
    }

    [Fact]
    public async Task An_mfa_ticket_signs_in_once_even_with_a_fresh_code()
    {
        await TotpCodes.WaitForFreshStepAsync();
        var account = await EnrolledAsync();
        var recoveryCodes = await TurnOnAsync(account, step: -1);
        var ticket = await PasswordStepAsync(account.Name);

        // A wrong code does not spend the ticket; the right one does.
        await (await SecondStepAsync(ticket, "000000")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_code");
        Assert.Equal(HttpStatusCode.OK, (await SecondStepAsync(ticket, TotpCodes.Now(account.Secret))).StatusCode);

        // Whoever copied the ticket cannot sign in with it, not with the next code nor with a recovery code.
        await (await SecondStepAsync(ticket, TotpCodes.Now(account.Secret, 1))).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_mfa_ticket");
        await (await SecondStepAsync(ticket, recoveryCode: recoveryCodes[0])).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_mfa_ticket");
        var status = await account.Client.GetFromJsonAsync<TwoFactorStatus>("/api/v1/auth/2fa", Api.Json);
        Assert.Equal(10, status!.RecoveryCodesLeft);
    }

    [Fact]
    public async Task A_code_two_steps_old_is_refused()
    {
        await TotpCodes.WaitForFreshStepAsync();
        var account = await EnrolledAsync();

        await (await account.Client.PostAsJsonAsync("/api/v1/auth/2fa/confirm", new { code = TotpCodes.Now(account.Secret, -2) }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_code");
        await (await account.Client.PostAsJsonAsync("/api/v1/auth/2fa/confirm", new { code = TotpCodes.Now(account.Secret, 2) }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_code");
        Assert.Equal(HttpStatusCode.OK,
            (await account.Client.PostAsJsonAsync("/api/v1/auth/2fa/confirm", new { code = TotpCodes.Now(account.Secret) })).StatusCode);
    }

    [Fact]
    public async Task A_recovery_code_signs_in_once_and_is_stored_only_as_a_hash()
    {
        await TotpCodes.WaitForFreshStepAsync();
        var account = await EnrolledAsync();
        var recoveryCodes = await TurnOnAsync(account);
        var code = recoveryCodes[3];

        var first = await SecondStepAsync(await PasswordStepAsync(account.Name), recoveryCode: code.ToUpperInvariant());
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await (await SecondStepAsync(await PasswordStepAsync(account.Name), recoveryCode: code))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_code");
        var status = await account.Client.GetFromJsonAsync<TwoFactorStatus>("/api/v1/auth/2fa", Api.Json);
        Assert.Equal(9, status!.RecoveryCodesLeft);

        var userId = account.Tokens.User.Id;
        var stored = await app.QueryAsync(db => db.Set<Microsoft.AspNetCore.Identity.IdentityUserToken<Snowflake>>()
            .Where(t => t.UserId == userId).Select(t => t.Value).ToListAsync());
        foreach (var recoveryCode in recoveryCodes)
        {
            var plain = recoveryCode.Replace("-", "", StringComparison.Ordinal);
            Assert.DoesNotContain(stored, value => value != null &&
                (value.Contains(recoveryCode, StringComparison.OrdinalIgnoreCase) || value.Contains(plain, StringComparison.OrdinalIgnoreCase)));
        }
    }

    [Fact]
    public async Task Turning_2fa_off_needs_both_the_password_and_a_code()
    {
        await TotpCodes.WaitForFreshStepAsync();
        var account = await EnrolledAsync();
        await TurnOnAsync(account);
        var code = TotpCodes.Now(account.Secret);

        await (await account.Client.PostAsJsonAsync("/api/v1/auth/2fa/disable", new { password = "wrong password", code }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_password");
        await (await account.Client.PostAsJsonAsync("/api/v1/auth/2fa/disable", new { password = Api.GoodPassword }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await account.Client.PostAsJsonAsync("/api/v1/auth/2fa/disable",
                new { password = Api.GoodPassword, code = TotpCodes.Now(account.Secret, 5) }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_code");

        var off = await account.Client.PostAsJsonAsync("/api/v1/auth/2fa/disable", new { password = Api.GoodPassword, code });
        Assert.Equal(HttpStatusCode.NoContent, off.StatusCode);
        var login = await _client.PostAsJsonAsync("/api/v1/auth/login", new { login = account.Name, password = Api.GoodPassword });
        Assert.False(string.IsNullOrEmpty((await login.ReadAsync<AuthTokens>()).AccessToken));
    }

    [Fact]
    public async Task Turning_2fa_on_signs_out_the_other_sessions_and_mails_the_user()
    {
        await TotpCodes.WaitForFreshStepAsync();
        var account = await EnrolledAsync();
        var other = await (await _client.PostAsJsonAsync("/api/v1/auth/login", new { login = account.Name, password = Api.GoodPassword }))
            .ReadAsync<AuthTokens>();

        await TurnOnAsync(account);

        await (await app.CreateClient(other.AccessToken).GetAsync("/api/v1/users/@me"))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "session_revoked");
        Assert.Equal(HttpStatusCode.OK, (await account.Client.GetAsync("/api/v1/users/@me")).StatusCode);
        var message = await SmtpServer.WaitForMessageAsync($"{account.Name}@example.test", "Two-factor authentication changed");
        Assert.Contains("turned on", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_recovery_codes_need_a_code_and_replace_the_old_ones()
    {
        await TotpCodes.WaitForFreshStepAsync();
        var account = await EnrolledAsync();
        var old = await TurnOnAsync(account);

        await (await account.Client.PostAsJsonAsync("/api/v1/auth/2fa/recovery-codes", new { code = TotpCodes.Now(account.Secret, 5) }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_code");
        var fresh = await (await account.Client.PostAsJsonAsync("/api/v1/auth/2fa/recovery-codes", new { code = TotpCodes.Now(account.Secret) }))
            .ReadAsync<RecoveryCodesResponse>();

        Assert.Empty(fresh.RecoveryCodes.Intersect(old));
        await (await SecondStepAsync(await PasswordStepAsync(account.Name), recoveryCode: old[0]))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_code");
        Assert.Equal(HttpStatusCode.OK, (await SecondStepAsync(await PasswordStepAsync(account.Name), recoveryCode: fresh.RecoveryCodes[0])).StatusCode);
    }

    [Fact]
    public async Task Wrong_codes_count_towards_the_account_lockout()
    {
        await TotpCodes.WaitForFreshStepAsync();
        var account = await EnrolledAsync();
        await TurnOnAsync(account);
        var ticket = await PasswordStepAsync(account.Name);
        var wrong = TotpCodes.Now(account.Secret, 10);

        for (var attempt = 0; attempt < 4; attempt++)
            await (await SecondStepAsync(ticket, wrong)).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_code");
        await (await SecondStepAsync(ticket, wrong)).AssertProblemAsync(HttpStatusCode.TooManyRequests, "account_locked");

        // Locked means locked: the right code does not get in either.
        var right = await SecondStepAsync(ticket, TotpCodes.Now(account.Secret));
        await right.AssertProblemAsync(HttpStatusCode.TooManyRequests, "account_locked");
        Assert.True(right.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task A_forged_ticket_gets_no_tokens()
    {
        var response = await SecondStepAsync("CfDJ8-this-is-not-a-real-ticket-at-all", code: "123456");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_mfa_ticket");
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteTwoFactorTests(MailingSqliteApp app) : TwoFactorTests(app), IClassFixture<MailingSqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresTwoFactorTests(MailingPostgresApp app) : TwoFactorTests(app), IClassFixture<MailingPostgresApp>;
