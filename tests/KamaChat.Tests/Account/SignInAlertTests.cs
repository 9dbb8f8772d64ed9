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
        phone.DefaultRequestHeaders.UserAgent.ParseAdd("KamaChatPhone/1.0");
        await phone.PostAsJsonAsync("/api/v1/auth/login", new { login = name, password = Api.GoodPassword });
        await phone.PostAsJsonAsync("/api/v1/auth/login", new { login = name, password = Api.GoodPassword });

        var alert = await SmtpServer.WaitForMessageAsync(email, "New sign-in");
        Assert.Contains("KamaChatPhone/1.0", alert.TextBody, StringComparison.Ordinal);
        await Task.Delay(500);
        Assert.Single(await SmtpServer.WaitForMessagesAsync(email, "New sign-in", 1));
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteSignInAlertTests(MailingSqliteApp app) : SignInAlertTests(app), IClassFixture<MailingSqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresSignInAlertTests(MailingPostgresApp app) : SignInAlertTests(app), IClassFixture<MailingPostgresApp>;
