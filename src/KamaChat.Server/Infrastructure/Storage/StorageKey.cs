namespace KamaChat.Server.Infrastructure.Storage;

/// <summary>
/// The one rule for object keys, checked by every backend: slash-separated segments of ASCII letters, digits,
/// '.', '_' and '-', none empty or starting with '.', at most 512 characters. So no key can name a parent
/// directory, an absolute path, a hidden or temporary file, or mean different things to different backends.
/// </summary>
public static class StorageKey
{
    public const int MaxLength = 512;

    public static bool IsValid(string? key) => key is { Length: > 0 and <= MaxLength } && SegmentsAreValid(key, allowTrailingSlash: false);

    /// <exception cref="ArgumentException">The key breaks the rule.</exception>
    public static string Validate(string? key) =>
        IsValid(key) ? key! : throw new ArgumentException($"'{key}' is not a valid storage key.", nameof(key));

    /// <summary>A listing prefix: empty, or key characters, optionally ending in '/'.</summary>
    public static string ValidatePrefix(string? prefix)
    {
        if (prefix is null or "")
            return "";
        if (prefix.Length > MaxLength || !SegmentsAreValid(prefix, allowTrailingSlash: true))
            throw new ArgumentException($"'{prefix}' is not a valid storage key prefix.", nameof(prefix));
        return prefix;
    }

    private static bool SegmentsAreValid(string key, bool allowTrailingSlash)
    {
        var segmentStart = true;
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (c == '/')
            {
                if (segmentStart)
                    return false;
                segmentStart = true;
                continue;
            }
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' || (c == '.' && !segmentStart)))
                return false;
            segmentStart = false;
        }
        return !segmentStart || allowTrailingSlash;
    }
}
