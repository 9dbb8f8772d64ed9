namespace KamaChat.Server.Infrastructure.Http;

/// <summary>
/// What text the API accepts anywhere: no control characters but tab and line breaks, and no half of a surrogate
/// pair. None of them belong in a name, an address, a token or a message; PostgreSQL cannot even store a NUL, and
/// cannot encode a lone surrogate.
/// </summary>
public static class SafeText
{
    public static bool IsAllowed(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                    continue;
                }
                return false;
            }
            if (char.IsLowSurrogate(c) || IsForbiddenControl(c))
                return false;
        }
        return true;
    }

    /// <summary>C0 controls except tab, line feed and carriage return; DEL; the C1 controls.</summary>
    private static bool IsForbiddenControl(char c) => c < ' ' ? c is not ('\t' or '\n' or '\r') : c is >= '\u007f' and <= '\u009f';
}
