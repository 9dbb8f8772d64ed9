namespace KamaChat.Tests.Search;

/// <summary>Queries that try to reach an engine as syntax, or to break the parser: each must be plain data.</summary>
public static class HostileQueries
{
    public static readonly string[] All =
    [
        "\"", "\"\"", "\"\"\"", "\"unclosed phrase", "a\"b", "-", "--", "-\"", "- -", "*", "**", "a*", "*a", "\"a\" *",
        "NEAR", "NEAR(a b)", "NEAR(\"a\" \"b\", 2)", "a AND b", "a OR b", "NOT a", "a NOT b", "AND", "OR", "(", ")", "((a)",
        "a) OR (b", "^a", "a:b", "col:value", "Content:secret", "messages_fts:x", "{a b}", "+a", "a + b", "\\", "\\\\", "a\\\"b",
        "'", "''", "'; DROP TABLE messages; --", "%", "_", "%_%", "100%", "a_b", "[a-z]", "~", "@@", "&&", "||", "!", ":*",
        "a:*", "'a':*", "<->", "a <-> b", "!a", "a & b | c", "\0", "a\0b", "\0\0\0", "\uD800", "a\uDC00b", "\uDBFF\uDBFF",
        "\uFFFF", "\uFFFE", "\u0001\u0002\u001F", "\t\n\r", "\u200B", "\u202Etxt.exe", "e\u0301", "\u0301", "🙂", "🙂🙂🙂",
        "👨‍👩‍👧", "東", "東京", "東京タワー", "ไทย", "from:", "from:\"", "from:\"\"", "in:", "in:#", "has:", "has:nothing",
        "pinned:maybe", "before:", "before:yesterday", "before:2026-13-45", "during:0000-00-00", "after:9999-12-31",
        "from:'; --", "in:\"a\" b\"", "mentions:@", "-from:x", "-has:link", "FROM:ADA", "HAS:LINK", "in:\"\\\"",
        new string('a', 1024), new string('"', 1024), new string('-', 1024), string.Concat(Enumerable.Repeat("a ", 512)),
        string.Concat(Enumerable.Repeat("-x ", 300)), string.Concat(Enumerable.Repeat("\"", 1000)) + "abc",
        string.Concat(Enumerable.Repeat("from:x ", 100)), string.Concat(Enumerable.Repeat("東京 ", 200)),
    ];
}
