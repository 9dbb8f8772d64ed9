using KamaChat.Server.Infrastructure.Email;
using KamaChat.Server.Infrastructure.Jobs;
using KamaChat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Email;

public abstract class SendEmailJobTests(MailingApp app)
{
    private async Task DeliverAsync(SendEmailJob job, JobContext context)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IJobHandler<SendEmailJob>>().HandleAsync(job, context, CancellationToken.None);
    }

    [Fact]
    public async Task A_redelivered_email_job_is_sent_only_once()
    {
        var to = $"{Api.UniqueName("twice")}@example.test";
        var job = new SendEmailJob(to, "Delivered twice", "text", "<p>html</p>", null);
        var context = new JobContext(Guid.NewGuid().ToString("N"), 1);

        await DeliverAsync(job, context);
        // The broker redelivers the same job (same id), e.g. because the ack was lost.
        await DeliverAsync(job, context with { Attempt = 2 });
        await DeliverAsync(job, new JobContext(Guid.NewGuid().ToString("N"), 1));

        var messages = await SmtpServer.WaitForMessagesAsync(to, "Delivered twice", 2);
        await Task.Delay(300);
        Assert.Equal(2, (await SmtpServer.MessagesToAsync(to)).Count);
        Assert.Equal($"{context.JobId}@kamachat", messages[0].MessageId);
        Assert.Equal("kamachat@example.test", messages[0].From.Mailboxes.Single().Address);
        Assert.Equal("text", messages[0].TextBody!.Trim());
        Assert.Equal("<p>html</p>", messages[0].HtmlBody!.Trim());
    }

    [Fact]
    public async Task An_unusable_address_fails_permanently_instead_of_being_retried()
    {
        var job = new SendEmailJob("not an address", "Nope", "text", "<p>html</p>", null);

        await Assert.ThrowsAsync<PermanentJobFailureException>(() => DeliverAsync(job, new JobContext(Guid.NewGuid().ToString("N"), 1)));
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteSendEmailJobTests(MailingSqliteApp app) : SendEmailJobTests(app), IClassFixture<MailingSqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresSendEmailJobTests(MailingPostgresApp app) : SendEmailJobTests(app), IClassFixture<MailingPostgresApp>;
