using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Postgres
{
    /// <summary>
    /// The stored folded text holds 'ß' in place of every space (<c>translate(kamachat_search_fold("Content"), ' ', 'ß')</c>),
    /// and the trigram index is built on the column itself instead of on <c>translate("SearchText", ' ', 'ß')</c>. A GIN
    /// trigram match is always rechecked, and the recheck evaluates the index's expression on every candidate: a rare
    /// word's or a phrase's near misses (thousands of candidates for a few hundred matches at 1,000,000 messages) each
    /// paid for a translate() of their whole text as well as the LIKE. Now the recheck is one LIKE on the stored text.
    /// Nothing else reads the spaces: the search's patterns are written the same way (<c>PostgresSearchEngine.SpaceStandIn</c>),
    /// and the bigram function and its index's predicate see only CJK characters. PostgreSQL 15 cannot change a generated
    /// column's expression, so the column is dropped and added again, which rewrites <c>messages</c>, and both search
    /// indexes are built again.
    /// </summary>
    public partial class SearchTextSpacesAsStandIn : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) =>
            Rebuild(migrationBuilder, folded: """translate(kamachat_search_fold("Content"), ' ', 'ß')""", trigrams: "\"SearchText\"");

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            Rebuild(migrationBuilder, folded: """kamachat_search_fold("Content")""", trigrams: """translate("SearchText", ' ', 'ß')""");

        /// <summary>The folded column as <paramref name="folded"/>, the trigram index on <paramref name="trigrams"/>, the bigram index as before.</summary>
        private static void Rebuild(MigrationBuilder migrationBuilder, string folded, string trigrams)
        {
            // Dropping the column drops its indexes too; named here so that the order is plain.
            migrationBuilder.Sql("""DROP INDEX IF EXISTS "IX_messages_search_trigram";""");
            migrationBuilder.Sql("""DROP INDEX IF EXISTS "IX_messages_search_bigram";""");
            migrationBuilder.Sql("""ALTER TABLE messages DROP COLUMN "SearchText";""");
            migrationBuilder.Sql($"""ALTER TABLE messages ADD COLUMN "SearchText" text GENERATED ALWAYS AS ({folded}) STORED;""");
            migrationBuilder.Sql($"""
                CREATE INDEX "IX_messages_search_trigram" ON messages USING gin ({trigrams} public.gin_trgm_ops)
                WITH (gin_pending_list_limit = 128);
                """);
            migrationBuilder.Sql($"""
                CREATE INDEX "IX_messages_search_bigram" ON messages USING gin (kamachat_search_bigrams("SearchText"))
                WITH (gin_pending_list_limit = 128) WHERE "SearchText" ~ '{SearchBigramIndexRegexPredicate.Pair}';
                """);
        }
    }
}
