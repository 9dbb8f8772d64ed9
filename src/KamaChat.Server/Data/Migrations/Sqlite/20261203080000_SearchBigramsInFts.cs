using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Sqlite
{
    /// <summary>
    /// The two-character CJK index (MessageSearchBigrams) as an FTS5 index instead of a table keyed (bigram, message id).
    /// Every pair of a message went into that key's B-tree at its own place, so a send with CJK text dirtied about a dozen
    /// scattered pages (read back from the OS first: they are spread over the whole table), each written to the WAL at
    /// commit; FTS5 writes the pairs of a whole transaction as one small segment and merges segments later, in bulk. Same
    /// pairs (those of <see cref="MessageSearchBigrams"/>), each a token: the index is contentless (the text is in
    /// <c>messages</c>), keeps no positions or sizes (a search asks only which messages hold a pair; LIKE checks the
    /// text), and the <c>ascii</c> tokenizer cuts tokens at spaces only (every character of a pair is non-ASCII). A
    /// contentless index forgets a message by being given its tokens again, so edits and deletes recompute the old
    /// content's pairs, as the table's triggers did. The triggers' GLOB for a pair went through its character class at
    /// every character of every message (a tenth of SQLite's instructions per insert with both indexes, valgrind); a
    /// message whose UTF-8 is not at least four bytes longer than its characters holds no pair (each of these characters
    /// is three bytes), and is now let through without it.
    /// <para>
    /// Measured on 100,000 synthetic messages of the search bench's mix (one in five CJK), 6,000 inserts three per
    /// transaction, both indexes, user + system CPU per insert, four alternating runs: 0.21–0.23 ms before, 0.135–0.147
    /// after, 0.023–0.030 without either index; WAL pages per commit 31.3 before, 20.5 after, 7.1 without.
    /// </para>
    /// Like every trigger on <c>messages</c>, these go when EF Core rebuilds the table: a later migration that rebuilds it
    /// must call <see cref="CreateTriggers"/> again.
    /// </summary>
    public partial class SearchBigramsInFts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            MessageSearchBigrams.DropTable(migrationBuilder);
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE message_bigrams_fts USING fts5(
                    "Bigrams", content='', columnsize=0, detail=none, tokenize='ascii');
                """);
            CreateTriggers(migrationBuilder);
            migrationBuilder.Sql($"""
                INSERT INTO message_bigrams_fts(rowid, "Bigrams")
                SELECT m."Id", group_concat(substr(m."Content", p."N", 2), ' ') FROM messages m JOIN search_positions p ON p."N" < length(m."Content")
                WHERE {HasPair("m")} AND substr(m."Content", p."N", 2) {MessageSearchBigrams.IsPair}
                GROUP BY m."Id" ORDER BY m."Id";
                """);
            // As for messages_fts (SearchFtsAutomerge, SearchFtsOptimize): fewer levels for sends to merge into, and the
            // bulk index as one segment.
            migrationBuilder.Sql("INSERT INTO message_bigrams_fts(message_bigrams_fts, rank) VALUES ('automerge', 16);");
            migrationBuilder.Sql("INSERT INTO message_bigrams_fts(message_bigrams_fts) VALUES ('optimize');");
        }

        /// <summary>
        /// A message's pairs, space-separated, as FTS5 input: one row, none when the content has no pair (an aggregate
        /// always gives a row, so the empty one is filtered out).
        /// </summary>
        internal static string Pairs(string row) => $"""
            SELECT {row}."Id" AS "Id", pairs FROM (
                SELECT group_concat(substr({row}."Content", p."N", 2), ' ') AS pairs FROM search_positions p
                WHERE p."N" < length({row}."Content") AND substr({row}."Content", p."N", 2) {MessageSearchBigrams.IsPair})
            WHERE pairs IS NOT NULL
            """;

        private static string Insert(string row) => $"""INSERT INTO message_bigrams_fts(rowid, "Bigrams") {Pairs(row)};""";

        private static string Delete(string row) =>
            $"""INSERT INTO message_bigrams_fts(message_bigrams_fts, rowid, "Bigrams") SELECT 'delete', "Id", pairs FROM ({Pairs(row)});""";

        /// <summary>Whether the row's content may hold a pair (cheap: two lengths), then whether it does (the GLOB).</summary>
        internal static string HasPair(string row) =>
            $"""length(CAST({row}."Content" AS BLOB)) - length({row}."Content") >= 4 AND {row}."Content" {MessageSearchBigrams.HasPair}""";

        /// <summary>The triggers that keep <c>message_bigrams_fts</c> in step with inserts, edits and deletes (cascades included).</summary>
        public static void CreateTriggers(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                CREATE TRIGGER IF NOT EXISTS message_bigrams_fts_insert AFTER INSERT ON messages
                WHEN {HasPair("new")} BEGIN
                {Insert("new")}
                END;
                """);
            migrationBuilder.Sql($"""
                CREATE TRIGGER IF NOT EXISTS message_bigrams_fts_delete AFTER DELETE ON messages
                WHEN {HasPair("old")} BEGIN
                {Delete("old")}
                END;
                """);
            // Pairs() gives no row for content without a pair, so either side may be without.
            migrationBuilder.Sql($"""
                CREATE TRIGGER IF NOT EXISTS message_bigrams_fts_update AFTER UPDATE OF "Content" ON messages
                WHEN ({HasPair("old")}) OR ({HasPair("new")}) BEGIN
                {Delete("old")}
                {Insert("new")}
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS message_bigrams_fts_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS message_bigrams_fts_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS message_bigrams_fts_insert;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS message_bigrams_fts;");
            MessageSearchBigrams.CreateTable(migrationBuilder);
        }
    }
}
