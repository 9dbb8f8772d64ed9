using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Sqlite
{
    /// <summary>
    /// 'ß' and 'ẞ' are "ss" to search, as PostgreSQL's <c>unaccent</c> makes them: "strasse", "straße" and "STRAẞE" find
    /// each other. FTS5's trigram tokenizer folds case and diacritics but keeps 'ß' a letter of its own, so
    /// <c>messages_fts</c> is given the content with both replaced (<see cref="Folded"/>) by the triggers and the indexer
    /// (<c>SearchIndexedAfterCommit.IndexPending</c>), and an FTS5 'delete' is given the same folded value, since an
    /// external-content index forgets a row by being handed the tokens it holds. The messages indexed before this (those
    /// holding 'ß' or 'ẞ' and not pending) are taken out with their content as it is and put back folded; the FTS work
    /// is theirs alone, but finding them reads every message once (<c>instr</c>: no index holds a single character).
    /// The bigram index holds CJK pairs only and is left as it is.
    /// <para>
    /// The index no longer holds what <c>messages</c> holds for those rows: FTS5's 'rebuild' would index them unfolded
    /// again, and its 'integrity-check' with rank 1 (which compares the index with the content table) reports them.
    /// </para>
    /// </summary>
    public partial class SearchSharpSAsDoubleS : Migration
    {
        /// <summary>The content expression <paramref name="content"/> as <c>messages_fts</c> is given it.</summary>
        internal static string Folded(string content) => $"replace(replace({content}, 'ß', 'ss'), 'ẞ', 'ss')";

        /// <summary>Whether the content expression <paramref name="content"/> holds a 'ß' or 'ẞ'.</summary>
        private static string Holds(string content) => $"(instr({content}, 'ß') > 0 OR instr({content}, 'ẞ') > 0)";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => Refold(migrationBuilder, foldSharpS: true);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => Refold(migrationBuilder, foldSharpS: false);

        /// <summary>
        /// The edit and delete triggers, and the insert ones (deferred: the node's indexer puts the direct ones back at
        /// start-up when configured so), writing the index as <paramref name="foldSharpS"/> says; and the indexed rows
        /// holding 'ß' or 'ẞ' taken out as they were given and put back the other way.
        /// </summary>
        private static void Refold(MigrationBuilder migrationBuilder, bool foldSharpS)
        {
            foreach (var trigger in new[] { "messages_fts_update", "message_bigrams_fts_update", "message_search_delete" })
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {trigger};");
            migrationBuilder.Sql(SearchIndexedAfterCommit.CreateEditAndDelete(foldSharpS));
            migrationBuilder.Sql(SearchIndexedAfterCommit.UseDirectInsert(direct: false, foldSharpS));
            var (indexedAs, indexAs) = foldSharpS ? ("m.\"Content\"", Folded("m.\"Content\"")) : (Folded("m.\"Content\""), "m.\"Content\"");
            var rows = $"FROM messages m WHERE {Holds("m.\"Content\"")} AND {SearchIndexedAfterCommit.NotPending("m")} ORDER BY m.\"Id\"";
            migrationBuilder.Sql($"INSERT INTO messages_fts(messages_fts, rowid, Content) SELECT 'delete', m.\"Id\", {indexedAs} {rows};");
            migrationBuilder.Sql($"INSERT INTO messages_fts(rowid, Content) SELECT m.\"Id\", {indexAs} {rows};");
        }
    }
}
