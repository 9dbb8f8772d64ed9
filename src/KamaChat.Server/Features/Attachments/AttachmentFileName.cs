using System.Globalization;
using System.Text;

namespace KamaChat.Server.Features.Attachments;

/// <summary>A file name as shown to people: the client's name made harmless to display and to offer as a download name.</summary>
public static class AttachmentFileName
{
    public const string Fallback = "file";

    /// <summary>
    /// Keeps only the last path part (of '/' or '\'), drops control and format characters (bidi overrides and isolates,
    /// zero-width characters: "photo‮gpj.exe" must not read as "photoexe.jpg"), trims dots and spaces, and cuts to
    /// <see cref="Attachment.FileNameMaxLength"/> characters keeping the extension.
    /// </summary>
    public static string Sanitize(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            return Fallback;
        var lastPart = name[(name.LastIndexOfAny(['/', '\\']) + 1)..];
        var clean = new StringBuilder(lastPart.Length);
        foreach (var rune in lastPart.Normalize(NormalizationForm.FormC).EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
                continue;
            clean.Append(rune.ToString());
        }
        var result = clean.ToString().Trim().Trim('.').Trim();
        if (result.Length == 0)
            return Fallback;
        if (result.Length > Attachment.FileNameMaxLength)
        {
            var extension = Path.GetExtension(result);
            extension = extension.Length is > 1 and <= 16 ? extension : "";
            var stem = result[..(Attachment.FileNameMaxLength - extension.Length)];
            // Never end on half of a surrogate pair.
            if (char.IsHighSurrogate(stem[^1]))
                stem = stem[..^1];
            result = stem + extension;
        }
        return result;
    }
}
