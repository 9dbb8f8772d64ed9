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

    /// <summary>
    /// Query strings as raw bytes no well-behaved client sends: NUL, a UTF-8-encoded lone surrogate, invalid and overlong
    /// UTF-8, repeated and empty parameters, unknown parameters, a bare key.
    /// </summary>
    public static readonly string[] RawQueryStrings =
    [
        "q=%00", "q=a%00b", "q=%ED%A0%80", "q=%FF%FE", "q=%C0%AF", "q=%E6%9D", "q=%", "q=%%", "q=%zz", "q=a&q=b", "q&q", "q=a&unknown=1",
        "q=a&limit=", "q=a&offset=", "q=a&sort=", "q=a&pinned=", "q=a&before=", "q=a&authorId=", "q=a&has=", "q=a&limit=%00",
        "q=a&authorId=%00", "q=a&before=%ED%A0%80", "q=a&after=9999-12-31T23:59:59.9999999Z", "q=a&before=0001-01-01T00:00:00Z",
        "q=a&after=10000-01-01", "q=a&before=2026-11-01T25:00:00Z", "q=a&limit=1e1", "q=a&limit=%2B5", "q=a&offset=0x10",
        "q=a&authorId=9223372036854775807", "q=a&authorId=9223372036854775808", "q=a&channelId=0", "q=a&mentions=0000000000000000001",
    ];
}
