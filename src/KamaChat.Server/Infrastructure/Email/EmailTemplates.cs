using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace KamaChat.Server.Infrastructure.Email;

/// <summary>A rendered email: plain text and HTML, plus the one link it is about (logged when mail goes to files).</summary>
public sealed record EmailContent(string Subject, string Text, string Html, string? Link);

/// <summary>
/// The account emails, each as plain text and HTML. Every value that comes from a user is HTML-encoded;
/// the layout is deliberately plain (tables and inline styles are what mail clients render reliably).
/// </summary>
public static class EmailTemplates
{
    public static EmailContent VerifyEmail(string userName, Uri link) => Compose(
        "Verify your email address for KamaChat",
        $"Hi {userName},",
        ["Confirm that this is your email address to finish setting up your KamaChat account.",
            "The link is valid for 24 hours. If you did not create an account, ignore this email."],
        ("Verify email address", link));

    public static EmailContent ConfirmEmailChange(string userName, string newEmail, Uri link) => Compose(
        "Confirm your new email address for KamaChat",
        $"Hi {userName},",
        [$"Confirm {newEmail} as the new email address of your KamaChat account. Until you do, your old address stays in use.",
            "The link is valid for 24 hours. If you did not ask for this, ignore this email."],
        ("Confirm new address", link));

    public static EmailContent ResetPassword(string userName, Uri link) => Compose(
        "Reset your KamaChat password",
        $"Hi {userName},",
        ["Someone (hopefully you) asked to reset the password of your KamaChat account.",
            "The link is valid for 1 hour and works once. Resetting signs out every device. If you did not ask for this, ignore this email: your password stays as it is."],
        ("Choose a new password", link));

    /// <param name="device">How the device is named (<c>Firefox on Windows</c>), never the client's own User-Agent text.</param>
    public static EmailContent NewSignIn(string userName, DateTimeOffset when, string device, string? ipAddress) => Compose(
        "New sign-in to your KamaChat account",
        $"Hi {userName},",
        [$"Your account was signed in to on {when.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC"
            + $" from {device} ({ipAddress ?? "unknown address"}).",
            "If this was you, there is nothing to do. If not, change your password now and sign out the devices you do not recognise in Settings → Sessions."],
        null);

    public static EmailContent TwoFactorChanged(string userName, string change, DateTimeOffset when) => Compose(
        "Two-factor authentication changed on your KamaChat account",
        $"Hi {userName},",
        [$"{change} on {when.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC. Your other devices were signed out.",
            "If this was not you, reset your password at once and contact your KamaChat administrator."],
        null);

    private static EmailContent Compose(string subject, string greeting, string[] paragraphs, (string Label, Uri Url)? action)
    {
        var text = new StringBuilder().AppendLine(greeting).AppendLine();
        foreach (var paragraph in paragraphs)
            text.AppendLine(paragraph).AppendLine();
        if (action is { } a)
            text.AppendLine(CultureInfo.InvariantCulture, $"{a.Label}: {a.Url.AbsoluteUri}").AppendLine();
        text.AppendLine("— KamaChat");

        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html><body style=\"margin:0;padding:24px;background:#f4f4f6;font-family:Helvetica,Arial,sans-serif;color:#1f2328\">")
            .Append("<table role=\"presentation\" width=\"100%\" style=\"max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px\"><tr><td>")
            .Append(CultureInfo.InvariantCulture, $"<p style=\"font-size:16px\">{Encode(greeting)}</p>");
        foreach (var paragraph in paragraphs)
            html.Append(CultureInfo.InvariantCulture, $"<p style=\"font-size:15px;line-height:1.5\">{Encode(paragraph)}</p>");
        if (action is { } b)
            html.Append(CultureInfo.InvariantCulture,
                    $"<p><a href=\"{Encode(b.Url.AbsoluteUri)}\" style=\"display:inline-block;padding:10px 18px;background:#5865f2;color:#ffffff;text-decoration:none;border-radius:6px\">{Encode(b.Label)}</a></p>")
                .Append(CultureInfo.InvariantCulture,
                    $"<p style=\"font-size:12px;color:#57606a\">Or open this link: {Encode(b.Url.AbsoluteUri)}</p>");
        html.Append("<p style=\"font-size:12px;color:#57606a\">— KamaChat</p></td></tr></table></body></html>");
        return new EmailContent(subject, text.ToString(), html.ToString(), action?.Url.AbsoluteUri);
    }

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);
}
