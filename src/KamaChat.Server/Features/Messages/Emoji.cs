using System.Globalization;

namespace KamaChat.Server.Features.Messages;

/// <summary>
/// Decides whether a reaction is made of Unicode emoji only: every grapheme cluster must hold a pictographic
/// code point (or be a flag or a keycap) and nothing but emoji modifiers, joiners and variation selectors around it.
/// Letters, lone digits, whitespace and control characters are refused.
/// </summary>
public static class Emoji
{
    public const int MaxLength = Reaction.EmojiMaxLength;

    public static bool IsValid(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength)
            return false;
        var clusters = StringInfo.GetTextElementEnumerator(text);
        while (clusters.MoveNext())
        {
            if (!IsEmojiCluster(clusters.GetTextElement()))
                return false;
        }
        return true;
    }

    private static bool IsEmojiCluster(string cluster)
    {
        var runes = cluster.EnumerateRunes().Select(r => r.Value).ToList();
        // Keycaps: 0-9, # or * followed by an optional VS16 and the combining enclosing keycap.
        if (runes.Count is 2 or 3 && runes[^1] == 0x20E3 && (runes[0] is >= '0' and <= '9' or '#' or '*') && (runes.Count == 2 || runes[1] == 0xFE0F))
            return true;

        var pictographs = 0;
        foreach (var rune in runes)
        {
            if (IsPictographic(rune))
                pictographs++;
            else if (!IsModifier(rune))
                return false;
        }
        return pictographs > 0;
    }

    /// <summary>Approximately Unicode's Extended_Pictographic plus regional indicators (flags).</summary>
    private static bool IsPictographic(int c) => c switch
    {
        0x00A9 or 0x00AE or 0x203C or 0x2049 or 0x2122 or 0x2139 or 0x2328 or 0x2388 or 0x23CF or 0x24C2 or 0x25B6 or 0x25C0 => true,
        >= 0x2194 and <= 0x2199 => true,
        >= 0x21A9 and <= 0x21AA => true,
        >= 0x231A and <= 0x231B => true,
        >= 0x23E9 and <= 0x23F3 => true,
        >= 0x23F8 and <= 0x23FA => true,
        >= 0x25AA and <= 0x25AB => true,
        >= 0x25FB and <= 0x25FE => true,
        >= 0x2600 and <= 0x27BF => true,
        >= 0x2934 and <= 0x2935 => true,
        >= 0x2B05 and <= 0x2B07 => true,
        >= 0x2B1B and <= 0x2B1C => true,
        0x2B50 or 0x2B55 or 0x3030 or 0x303D or 0x3297 or 0x3299 => true,
        // Mahjong tiles to symbols and pictographs extended-A, incl. regional indicators 1F1E6-1F1FF; skin tones are modifiers below.
        >= 0x1F000 and <= 0x1F3FA => true,
        >= 0x1F400 and <= 0x1FAFF => true,
        >= 0x1FC00 and <= 0x1FFFD => true,
        _ => false,
    };

    /// <summary>What may accompany a pictograph inside one emoji: ZWJ, VS16, skin tones, tag sequences (subdivision flags).</summary>
    private static bool IsModifier(int c) =>
        c is 0x200D or 0xFE0F or 0x20E3 or (>= 0x1F3FB and <= 0x1F3FF) or (>= 0xE0020 and <= 0xE007F);
}
