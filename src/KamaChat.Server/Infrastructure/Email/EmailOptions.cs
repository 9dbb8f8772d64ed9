using System.Globalization;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Email;

/// <summary>How mail leaves this node: SMTP when SMTP_URL is set, otherwise .eml files in the data directory.</summary>
public sealed class EmailOptions
{
    public string? SmtpHost { get; set; }

    public int SmtpPort { get; set; }

    public string? SmtpUser { get; set; }

    public string? SmtpPassword { get; set; }

    /// <summary><c>smtp://</c> upgrades with STARTTLS when the server offers it; <c>smtps://</c> is TLS from the first byte.</summary>
    public SecureSocketOptions SmtpSecurity { get; set; } = SecureSocketOptions.StartTlsWhenAvailable;

    /// <summary>The From header (EMAIL_FROM).</summary>
    public string From { get; set; } = "KamaChat <no-reply@localhost>";

    /// <summary>Where .eml files go without SMTP.</summary>
    public string MailDirectory { get; set; } = Path.Combine("data", "mail");

    public string? Error { get; set; }

    public bool UsesSmtp => SmtpHost is not null;

    public static void Bind(EmailOptions options, IConfiguration configuration, string dataDirectory)
    {
        options.MailDirectory = Path.Combine(dataDirectory, "mail");
        if (configuration["EMAIL_FROM"] is { Length: > 0 } from)
            options.From = from;
        if (configuration["SMTP_URL"] is not { Length: > 0 } url)
            return;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("smtp" or "smtps") || uri.Host.Length == 0)
        {
            options.Error = "SMTP_URL must look like smtp://user:password@host:587 (STARTTLS when offered) or smtps://user:password@host:465 (TLS).";
            return;
        }
        options.SmtpHost = uri.Host;
        options.SmtpSecurity = uri.Scheme == "smtps" ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTlsWhenAvailable;
        options.SmtpPort = uri.IsDefaultPort || uri.Port <= 0 ? (uri.Scheme == "smtps" ? 465 : 587) : uri.Port;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            options.SmtpUser = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            options.SmtpPassword = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }
    }

    public override string ToString() => UsesSmtp
        ? string.Create(CultureInfo.InvariantCulture, $"SMTP {SmtpHost}:{SmtpPort} ({SmtpSecurity})")
        : $"files in {MailDirectory}";
}

internal sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        if (options.Error is not null)
            return ValidateOptionsResult.Fail(options.Error);
        if (!MimeKit.MailboxAddress.TryParse(options.From, out _))
            return ValidateOptionsResult.Fail($"EMAIL_FROM must be an address such as 'KamaChat <no-reply@example.com>' (got '{options.From}').");
        return ValidateOptionsResult.Success;
    }
}
