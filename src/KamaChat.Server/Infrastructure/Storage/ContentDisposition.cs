using System.Text;

namespace KamaChat.Server.Infrastructure.Storage;

internal static class ContentDisposition
{
    /// <summary>
    /// <c>attachment; filename="…"</c> (RFC 6266), plus <c>filename*=UTF-8''…</c> with the exact name percent-encoded
    /// when the plain form cannot carry it (non-ASCII, quotes, controls), the plain one then being an ASCII fallback.
    /// </summary>
    public static string Attachment(string fileName)
    {
        var fallback = new StringBuilder(fileName.Length);
        foreach (var c in fileName)
            fallback.Append(c is >= ' ' and < (char)127 and not '"' and not '\\' ? c : '_');
        var plain = fallback.ToString();
        return plain == fileName
            ? $"attachment; filename=\"{plain}\""
            : $"attachment; filename=\"{plain}\"; filename*=UTF-8''{Uri.EscapeDataString(fileName)}";
    }
}
