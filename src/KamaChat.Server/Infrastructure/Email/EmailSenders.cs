using KamaChat.Server.Infrastructure.Storage;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace KamaChat.Server.Infrastructure.Email;

/// <summary>Hands a finished message to whatever delivers mail. Called only by <see cref="SendEmailJobHandler"/>.</summary>
public interface IEmailSender
{
    Task SendAsync(MimeMessage message, string? link, CancellationToken cancellationToken);
}

/// <summary>Production: SMTP through MailKit (STARTTLS when offered, or implicit TLS for smtps://).</summary>
internal sealed class SmtpEmailSender(IOptions<EmailOptions> options) : IEmailSender
{
    public async Task SendAsync(MimeMessage message, string? link, CancellationToken cancellationToken)
    {
        var smtp = options.Value;
        using var client = new SmtpClient();
        await client.ConnectAsync(smtp.SmtpHost!, smtp.SmtpPort, smtp.SmtpSecurity, cancellationToken);
        if (smtp.SmtpUser is not null)
            await client.AuthenticateAsync(smtp.SmtpUser, smtp.SmtpPassword ?? "", cancellationToken);
        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }
}

/// <summary>
/// The embedded default: each message becomes an .eml file in the mail directory, and its link is logged,
/// so a local install works (and can verify accounts) without a mail server.
/// </summary>
internal sealed class MailDirectoryEmailSender(IOptions<EmailOptions> options, ILogger<MailDirectoryEmailSender> logger) : IEmailSender
{
    public async Task SendAsync(MimeMessage message, string? link, CancellationToken cancellationToken)
    {
        // Named after the message id, which comes from the job id: a redelivered job overwrites, never duplicates.
        var name = string.Concat((message.MessageId ?? MimeKit.Utils.MimeUtils.GenerateMessageId()).Select(c => char.IsLetterOrDigit(c) || c is '-' or '.' ? c : '_')) + ".eml";
        var path = Path.Combine(options.Value.MailDirectory, name);
        // Whoever watches the directory (a mail client, the e2e tests) must never open a file still being written.
        await AtomicFile.WriteAsync(path, (stream, ct) => message.WriteToAsync(stream, ct), cancellationToken);
        logger.LogInformation("Email to {To} \"{Subject}\" written to {Path}{Link}", message.To.ToString(), message.Subject, path,
            link is null ? "" : $"; link: {link}");
    }
}
