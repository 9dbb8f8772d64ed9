using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Postgres
{
    /// <summary>
    /// Two-character search in scripts without spaces (東京, 公园, タワ): pg_trgm cannot answer a term of two characters,
    /// so those were a scan of every message (pg_bigm is not a contrib module, and managed services rarely offer it).
    /// <c>kamachat_search_bigrams</c> lists the distinct pairs of adjacent characters of the folded content where both are
    /// kana, CJK ideographs or Hangul (the ranges of <c>SearchBigrams</c>), NULL when there is none; a partial
    /// GIN index over it holds only the messages that have such a pair, so most Latin-script sends only pay for a regular
    /// expression. PostgreSQL maintains the index with the row, in the same transaction. Building it indexes existing
    /// messages, once, here.
    /// </summary>
    public partial class MessageSearchBigrams : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Hiragana and Katakana (without the combining sound marks), CJK Extension A, CJK Unified Ideographs, Hangul syllables, CJK
            // compatibility. Written twice rather than {2}: tools that run migration scripts through string.Format choke on braces.
            const string wide = @"[\u3040-\u3098\u309B-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF]";
            migrationBuilder.Sql($$"""
                CREATE OR REPLACE FUNCTION kamachat_search_bigrams(text) RETURNS text[]
                LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
                AS $$ SELECT CASE WHEN $1 ~ '{{wide}}{{wide}}' THEN ARRAY(
                    SELECT DISTINCT pg_catalog.substr($1, i, 2) FROM pg_catalog.generate_series(1, pg_catalog.length($1) - 1) AS i
                    WHERE pg_catalog.substr($1, i, 2) ~ '^{{wide}}{{wide}}$') END $$;
                """);
            migrationBuilder.Sql("""
                CREATE INDEX "IX_messages_search_bigram" ON messages USING gin (kamachat_search_bigrams("SearchText"))
                WHERE kamachat_search_bigrams("SearchText") IS NOT NULL;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS \"IX_messages_search_bigram\";");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS kamachat_search_bigrams(text);");
        }
    }
}
