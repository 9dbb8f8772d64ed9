using System.Net.Http.Json;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Account;

public abstract class SignInAlertTests(MailingApp app)
{
    [Fact]
    public async Task A_sign_in_from_a_new_device_is_mailed_once_and_a_familiar_one_is_not()
    {
        var name = Api.UniqueName();
        var email = $"{name}@example.test";
        await app.CreateClient().RegisterAsync(name);

        // Same device as the sign-up: nothing to report.
        await app.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { login = name, password = Api.GoodPassword });

        var phone = app.CreateClient();
        phone.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent",
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36");
        await phone.PostAsJsonAsync("/api/v1/auth/login", new { login = name, password = Api.GoodPassword });
        await phone.PostAsJsonAsync("/api/v1/auth/login", new { login = name, password = Api.GoodPassword });

        var alert = await SmtpServer.WaitForMessageAsync(email, "New sign-in");
        Assert.Contains("Chrome on Android", alert.TextBody, StringComparison.Ordinal);
        await Task.Delay(500);
        Assert.Single(await SmtpServer.WaitForMessagesAsync(email, "New sign-in", 1));
    }

    [Fact]
    public async Task The_alert_names_the_browser_and_system_but_never_quotes_what_the_client_sent()
    {
        var name = Api.UniqueName();
        var email = $"{name}@example.test";
        await app.CreateClient().RegisterAsync(name);

        var attacker = app.CreateClient();
        attacker.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0 URGENT: your account is locked, visit https://evil.example.test/unlock");
        await attacker.PostAsJsonAsync("/api/v1/auth/login", new { login = name, password = Api.GoodPassword });

        var alert = await SmtpServer.WaitForMessageAsync(email, "New sign-in");
        Assert.Contains("Firefox on Windows", alert.TextBody, StringComparison.Ordinal);
        foreach (var body in new[] { alert.TextBody!, alert.HtmlBody! })
        {
            Assert.DoesNotContain("evil.example.test", body, StringComparison.Ordinal);
            Assert.DoesNotContain("URGENT", body, StringComparison.Ordinal);
        }
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteSignInAlertTests(MailingSqliteApp app) : SignInAlertTests(app), IClassFixture<MailingSqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresSignInAlertTests(MailingPostgresApp app) : SignInAlertTests(app), IClassFixture<MailingPostgresApp>;
