using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using MimeKit;

namespace KamaChat.Server.Infrastructure.Email;

/// <summary>
/// An address the mail sender will accept as it is: MimeKit parses it to exactly itself (no display name, no route),
/// it has a domain with a dot, and no character in it is invisible or reorders text (controls, zero-width and bidi
/// formatting, separators). Such an address could be registered but never verified, or shown as something else.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class DeliverableEmailAttribute() : ValidationAttribute("Enter a valid email address.")
{
    public const int MaxLength = 254;

    public override bool IsValid(object? value) => value is not string address || IsDeliverable(address.Trim());

    public static bool IsDeliverable(string address)
    {
        if (address.Length is 0 or > MaxLength)
            return false;
        foreach (var rune in address.EnumerateRunes())
            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.SpaceSeparator
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
                return false;
        if (!MailboxAddress.TryParse(address, out var mailbox) || mailbox.Address != address || !string.IsNullOrEmpty(mailbox.Name))
            return false;
        var at = address.LastIndexOf('@');
        var domain = address[(at + 1)..];
        return at > 0 && domain.Contains('.', StringComparison.Ordinal) && !domain.StartsWith('.') && !domain.EndsWith('.');
    }
}
