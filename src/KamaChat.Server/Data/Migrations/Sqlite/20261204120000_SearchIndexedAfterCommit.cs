using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Sqlite
{
    /// <summary>
    /// The search indexes (<c>messages_fts</c>, <c>message_bigrams_fts</c>) written in bulk after the send instead of in
    /// it: SQLite's counterpart of PostgreSQL's GIN pending lists (SearchPendingListsMergedInBackground). A send's insert
    /// trigger only records the message's id in <c>message_search_pending</c>; the node's <c>SqliteSearchIndexer</c>
    /// indexes every pending message into both FTS5 tables in one transaction (one segment each, instead of one per send
    /// and its merge work) and takes them out of the table; searches read the pending messages beside the index
    /// (<c>SqliteSearchEngine</c>), so a message is found the moment its send returns. A table of ids, not a watermark:
    /// ids are taken before commit, so a message with a smaller id can commit after a larger one was indexed.
    /// <para>
    /// Every message is either pending (not in the FTS tables) or indexed with its current content; an FTS5 'delete' must
    /// only ever be given a row and tokens the index holds (else the external-content index and the contentless bigram
    /// index are corrupt). So edits of a pending message leave the indexes alone (the indexer reads the content when it
    /// gets there), and a delete takes the message out of the indexes only when it is not pending, then out of the pending
    /// table: one trigger, so the order of the two is the order of its statements (SQLite promises none between triggers).
    /// Cascades (a channel, a server deleted) fire it for each message too.
    /// </para>
    /// <para>
    /// With <c>Search:SqliteIndexMilliseconds</c> 0 the node indexes in the send as before: at start-up it replaces the
    /// pending insert trigger with the direct ones (<see cref="UseDirectInsert"/>) and indexes what was pending.
    /// Like every trigger on <c>messages</c>, these go when EF Core rebuilds the table: a later migration that rebuilds it
    /// must call <see cref="CreateTriggers"/> again.
    /// </para>
    /// </summary>
    public partial class SearchIndexedAfterCommit : Migration
    {
        internal const string PendingTable = "message_search_pending";

        internal const string PendingInsertTrigger = "message_search_pending_insert";

        /// <summary>The insert triggers that index in the send (MessageSearch's and SearchBigramsInFts's, as they were).</summary>
        internal static readonly string[] DirectInsertTriggers = ["messages_fts_insert", "message_bigrams_fts_insert"];

        /// <summary>
        /// The row's content as <c>messages_fts</c> is given it: as it is here, and with 'ß' and 'ẞ' as "ss" from
        /// <see cref="SearchSharpSAsDoubleS"/> on (<paramref name="foldSharpS"/>).
        /// </summary>
        private static string Indexed(string row, bool foldSharpS)
        {
            var content = $"{row}.\"Content\"";
            return foldSharpS ? SearchSharpSAsDoubleS.Folded(content) : content;
        }

        internal static string NotPending(string row) => $"""NOT EXISTS (SELECT 1 FROM {PendingTable} WHERE "Id" = {row}."Id")""";

        /// <summary>Deferred: the send records its message's id, nothing more.</summary>
        internal static string CreatePendingInsert => $"""
            CREATE TRIGGER IF NOT EXISTS {PendingInsertTrigger} AFTER INSERT ON messages BEGIN
                INSERT INTO {PendingTable}("Id") VALUES (new."Id");
            END;
            """;

        /// <summary>Direct: both indexes written in the send, as before this migration.</summary>
        private static string CreateDirectInsert(bool foldSharpS) => $"""
            CREATE TRIGGER IF NOT EXISTS messages_fts_insert AFTER INSERT ON messages BEGIN
                INSERT INTO messages_fts(rowid, Content) VALUES (new."Id", {Indexed("new", foldSharpS)});
            END;
            CREATE TRIGGER IF NOT EXISTS message_bigrams_fts_insert AFTER INSERT ON messages
            WHEN {SearchBigramsInFts.HasPair("new")} BEGIN
                INSERT INTO message_bigrams_fts(rowid, "Bigrams") {SearchBigramsInFts.Pairs("new")};
            END;
            """;

        /// <summary>
        /// Edits and deletes. A pending message's edit needs nothing (the indexer reads the content it finds); an indexed
        /// one's goes to both indexes as before. (The bigram part's condition is inside its SELECT: a constant there is
        /// checked before the positions are read.)
        /// </summary>
        internal static string CreateEditAndDelete(bool foldSharpS) => $"""
            CREATE TRIGGER IF NOT EXISTS messages_fts_update AFTER UPDATE OF "Content" ON messages
            WHEN {NotPending("old")} BEGIN
                INSERT INTO messages_fts(messages_fts, rowid, Content) VALUES ('delete', old."Id", {Indexed("old", foldSharpS)});
                INSERT INTO messages_fts(rowid, Content) VALUES (new."Id", {Indexed("new", foldSharpS)});
            END;
            CREATE TRIGGER IF NOT EXISTS message_bigrams_fts_update AFTER UPDATE OF "Content" ON messages
            WHEN (({SearchBigramsInFts.HasPair("old")}) OR ({SearchBigramsInFts.HasPair("new")})) AND {NotPending("old")} BEGIN
                INSERT INTO message_bigrams_fts(message_bigrams_fts, rowid, "Bigrams") SELECT 'delete', "Id", pairs FROM ({SearchBigramsInFts.Pairs("old")});
                INSERT INTO message_bigrams_fts(rowid, "Bigrams") {SearchBigramsInFts.Pairs("new")};
            END;
            CREATE TRIGGER IF NOT EXISTS message_search_delete AFTER DELETE ON messages BEGIN
                INSERT INTO messages_fts(messages_fts, rowid, Content) SELECT 'delete', old."Id", {Indexed("old", foldSharpS)} WHERE {NotPending("old")};
                INSERT INTO message_bigrams_fts(message_bigrams_fts, rowid, "Bigrams")
                SELECT 'delete', "Id", pairs FROM ({SearchBigramsInFts.Pairs("old")}) WHERE ({SearchBigramsInFts.HasPair("old")}) AND {NotPending("old")};
                DELETE FROM {PendingTable} WHERE "Id" = old."Id";
            END;
            """;

        /// <summary>
        /// Indexes the pending messages with ids up to <paramref name="bound"/> (an SQL expression) into both indexes, in id
        /// order, and takes them out of the pending table. Run in one write transaction, so the three see the same rows.
        /// </summary>
        internal static string IndexPending(string bound, bool foldSharpS) => $"""
            INSERT INTO messages_fts(rowid, Content)
            SELECT m."Id", {Indexed("m", foldSharpS)} FROM {PendingTable} p CROSS JOIN messages m ON m."Id" = p."Id"
            WHERE p."Id" <= {bound} ORDER BY p."Id";
            INSERT INTO message_bigrams_fts(rowid, "Bigrams")
            SELECT m."Id", group_concat(substr(m."Content", n."N", 2), ' ')
            FROM {PendingTable} p CROSS JOIN messages m ON m."Id" = p."Id" CROSS JOIN search_positions n ON n."N" < length(m."Content")
            WHERE p."Id" <= {bound} AND {SearchBigramsInFts.HasPair("m")} AND substr(m."Content", n."N", 2) {MessageSearchBigrams.IsPair}
            GROUP BY m."Id" ORDER BY m."Id";
            DELETE FROM {PendingTable} WHERE "Id" <= {bound};
            """;

        /// <summary>The pending table's triggers on <c>messages</c>, deferred insert included, as this migration made them.</summary>
        public static void CreateTriggers(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(CreatePendingInsert);
            migrationBuilder.Sql(CreateEditAndDelete(foldSharpS: false));
        }

        /// <summary>
        /// The SQL that swaps the deferred insert trigger for the direct ones (Search:SqliteIndexMilliseconds 0), and back;
        /// the direct ones as the latest migration writes the index (<paramref name="foldSharpS"/>).
        /// </summary>
        internal static string UseDirectInsert(bool direct, bool foldSharpS) => direct
            ? $"DROP TRIGGER IF EXISTS {PendingInsertTrigger};\n{CreateDirectInsert(foldSharpS)}"
            : string.Concat(DirectInsertTriggers.Select(t => $"DROP TRIGGER IF EXISTS {t};\n")) + CreatePendingInsert;

        private static readonly string[] ReplacedTriggers =
            ["messages_fts_insert", "message_bigrams_fts_insert", "messages_fts_update", "message_bigrams_fts_update", "messages_fts_delete", "message_bigrams_fts_delete"];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""CREATE TABLE {PendingTable} ("Id" INTEGER PRIMARY KEY);""");
            foreach (var trigger in ReplacedTriggers)
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {trigger};");
            CreateTriggers(migrationBuilder);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // What is pending goes into the indexes first, as the old triggers would have put it.
            migrationBuilder.Sql(IndexPending($"""(SELECT max("Id") FROM {PendingTable})""", foldSharpS: false));
            string[] triggers = [PendingInsertTrigger, "messages_fts_update", "message_bigrams_fts_update", "message_search_delete", .. DirectInsertTriggers];
            foreach (var trigger in triggers)
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {trigger};");
            migrationBuilder.Sql($"DROP TABLE IF EXISTS {PendingTable};");
            MessageSearch.CreateTriggers(migrationBuilder);
            SearchBigramsInFts.CreateTriggers(migrationBuilder);
        }
    }
}
