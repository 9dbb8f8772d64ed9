using KamaChat.Tests.Infrastructure;
using MimeKit;

namespace KamaChat.Tests.Email;

/// <summary>The embedded default: no SMTP configured, so mail becomes .eml files in the data directory.</summary>
[Trait("Provider", "sqlite")]
public sealed class MailDirectoryTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Without_smtp_the_verification_email_is_written_as_an_eml_file_with_its_link()
    {
        var name = Api.UniqueName();
        var tokens = await app.CreateClient().RegisterAsync(name);

        MimeMessage? message = null;
        for (var i = 0; i < 100 && message is null; i++)
        {
            message = Directory.Exists(app.MailDirectory)
                ? Directory.GetFiles(app.MailDirectory, "*.eml").Select(f => MimeMessage.Load(f))
                    .FirstOrDefault(m => m.To.Mailboxes.Any(a => a.Address == $"{name}@example.test"))
                : null;
            if (message is null)
                await Task.Delay(100);
        }

        Assert.NotNull(message);
        var (link, query) = Mail.LinkTo(message, "verify-email");
        Assert.StartsWith("http://localhost:3000/verify-email?", link.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(tokens.User.Id.ToString(), query["userId"]);
        Assert.EndsWith("@kamachat", message.MessageId, StringComparison.Ordinal);
    }
}
