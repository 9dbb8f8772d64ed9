using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Sqlite
{
    /// <summary>
    /// Two-character search in scripts without spaces (東京, 公园, タワ): a trigram index cannot answer a term of two
    /// characters, so those were a scan of every message. <c>message_bigrams</c> holds each distinct pair of adjacent
    /// characters of a message where both are kana, CJK ideographs or Hangul (the ranges of
    /// <c>SearchBigrams</c>), keyed (bigram, message id) so a lookup walks one bigram's messages newest first and stops
    /// at LIMIT. Messages without such a pair (most Latin-script chat) cost a send nothing but the trigger's GLOB. The
    /// triggers split the content with <c>search_positions</c> (1..8000: SQLite allows no recursive CTE in a trigger;
    /// contents are at most 4,000 characters) and run in the writing transaction, as the FTS triggers do. Like those, they
    /// go when EF Core rebuilds <c>messages</c>: a later migration that rebuilds it must call <see cref="CreateTriggers"/>
    /// again. Existing messages are indexed here, once. (SearchBigramsInFts replaced the table with an FTS5 index of the
    /// same pairs: this one cost a send about a dozen scattered B-tree pages.)
    /// </summary>
    public partial class MessageSearchBigrams : Migration
    {
        // Hiragana and Katakana (without the combining sound marks), CJK Extension A, CJK Unified Ideographs, Hangul syllables, CJK compatibility.
        private const string Wide = "[\u3040-\u3098\u309B-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF]";

        /// <summary>Content holding a pair of such characters somewhere: the triggers' condition.</summary>
        internal const string HasPair = "GLOB '*" + Wide + Wide + "*'";

        /// <summary>Two characters that are such a pair.</summary>
        internal const string IsPair = "GLOB '" + Wide + Wide + "'";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""CREATE TABLE search_positions ("N" INTEGER PRIMARY KEY);""");
            migrationBuilder.Sql("""
                INSERT INTO search_positions ("N")
                WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 8000) SELECT n FROM s;
                """);
            CreateTable(migrationBuilder);
        }

        /// <summary>The table, its triggers, and every existing message indexed (also SearchBigramsInFts's Down).</summary>
        internal static void CreateTable(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE message_bigrams (
                    "Bigram" TEXT NOT NULL, "MessageId" INTEGER NOT NULL, PRIMARY KEY ("Bigram", "MessageId")) WITHOUT ROWID;
                """);
            CreateTriggers(migrationBuilder);
            migrationBuilder.Sql($"""
                INSERT OR IGNORE INTO message_bigrams ("Bigram", "MessageId")
                SELECT substr(m."Content", p."N", 2), m."Id" FROM messages m JOIN search_positions p ON p."N" < length(m."Content")
                WHERE m."Content" {HasPair} AND substr(m."Content", p."N", 2) {IsPair};
                """);
        }

        private static string Insert(string row) => $"""
            INSERT OR IGNORE INTO message_bigrams ("Bigram", "MessageId")
                SELECT substr({row}."Content", p."N", 2), {row}."Id" FROM search_positions p
                WHERE p."N" < length({row}."Content") AND substr({row}."Content", p."N", 2) {IsPair};
            """;

        private static string Delete(string row) => $"""
            DELETE FROM message_bigrams WHERE "MessageId" = {row}."Id" AND "Bigram" IN (
                SELECT substr({row}."Content", p."N", 2) FROM search_positions p
                WHERE p."N" < length({row}."Content") AND substr({row}."Content", p."N", 2) {IsPair});
            """;

        /// <summary>The triggers that keep <c>message_bigrams</c> in step with inserts, edits and deletes (cascades included).</summary>
        public static void CreateTriggers(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                CREATE TRIGGER IF NOT EXISTS message_bigrams_insert AFTER INSERT ON messages WHEN new."Content" {HasPair} BEGIN
                {Insert("new")}
                END;
                """);
            migrationBuilder.Sql($"""
                CREATE TRIGGER IF NOT EXISTS message_bigrams_delete AFTER DELETE ON messages WHEN old."Content" {HasPair} BEGIN
                {Delete("old")}
                END;
                """);
            migrationBuilder.Sql($"""
                CREATE TRIGGER IF NOT EXISTS message_bigrams_update AFTER UPDATE OF "Content" ON messages
                WHEN old."Content" {HasPair} OR new."Content" {HasPair} BEGIN
                {Delete("old")}
                {Insert("new")}
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            DropTable(migrationBuilder);
            migrationBuilder.Sql("DROP TABLE IF EXISTS search_positions;");
        }

        /// <summary>The table and its triggers (also SearchBigramsInFts's Up).</summary>
        internal static void DropTable(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS message_bigrams_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS message_bigrams_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS message_bigrams_insert;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS message_bigrams;");
        }
    }
}
