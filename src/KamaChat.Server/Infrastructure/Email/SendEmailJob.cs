using KamaChat.Server.Data;
using KamaChat.Server.Infrastructure.Jobs;
using Microsoft.Extensions.Options;
using MimeKit;

namespace KamaChat.Server.Infrastructure.Email;

/// <summary>
/// One email, already rendered. Every email goes through the job queue as this job, so a slow or
/// failing mail server never slows a request, and a failure is retried. A digest or any other mail
/// is another job whose handler renders an <see cref="EmailContent"/> and enqueues this.
/// </summary>
public sealed record SendEmailJob(string To, string Subject, string TextBody, string HtmlBody, string? Link) : IJob
{
    public static string JobType => "send-email";
}

internal sealed class SendEmailJobHandler(
    IEmailSender sender,
    KamaDbContext db,
    IOptions<EmailOptions> options,
    TimeProvider time) : IJobHandler<SendEmailJob>
{
    public async Task HandleAsync(SendEmailJob job, JobContext context, CancellationToken cancellationToken)
    {
        // Already sent on an earlier delivery whose acknowledgement got lost: do not send it twice.
        if (await JobReceipts.IsDoneAsync(db, context.JobId, cancellationToken))
            return;

        var message = new MimeMessage
        {
            // Stable across redeliveries, so even a duplicate that slips through is recognisable to mail clients.
            MessageId = $"{context.JobId}@kamachat",
            Subject = job.Subject,
            Date = time.GetUtcNow(),
        };
        if (!MailboxAddress.TryParse(job.To, out var to))
            throw new PermanentJobFailureException($"'{job.To}' is not an email address; retrying will not change that.");
        message.From.Add(MailboxAddress.Parse(options.Value.From));
        message.To.Add(to);
        message.Body = new BodyBuilder { TextBody = job.TextBody, HtmlBody = job.HtmlBody }.ToMessageBody();

        await sender.SendAsync(message, job.Link, cancellationToken);
        await JobReceipts.MarkDoneAsync(db, context.JobId, SendEmailJob.JobType, time.GetUtcNow(), cancellationToken);
    }
}

/// <summary>Enqueues rendered emails; what features call to send mail.</summary>
public sealed class EmailOutbox(IJobQueue jobs)
{
    public Task<string> EnqueueAsync(string to, EmailContent content, CancellationToken cancellationToken) =>
        jobs.EnqueueAsync(new SendEmailJob(to, content.Subject, content.Text, content.Html, content.Link), cancellationToken);
}
