using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Postgres
{
    /// <summary>
    /// <c>kamachat_search_bigrams</c> in PL/pgSQL instead of SQL, the same expression, as <see cref="SearchFoldInPlpgsql"/>
    /// did for the fold: its body (<c>ARRAY(SELECT DISTINCT …)</c>, a subquery) is never inlined, so every insert of a
    /// message with a CJK pair — the bigram index's expression — and every search that reads the bigram index parsed and
    /// planned it again (5.1% of an insert's backend time in <c>perf</c>). PL/pgSQL compiles it once per session and keeps
    /// the subquery's plan. The same pairs come out (over 20,000 of the bench's messages: the same set for every one; in
    /// 1,115 the array lists them in another order, as DISTINCT is planned differently, which neither the GIN index nor
    /// <c>@&gt;</c> sees), so the index is not rebuilt.
    /// </summary>
    public partial class SearchBigramsInPlpgsql : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql($$"""
                CREATE OR REPLACE FUNCTION kamachat_search_bigrams(text) RETURNS text[]
                LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
                AS $$ BEGIN RETURN {{Body}}; END $$;
                """);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql($$"""
                CREATE OR REPLACE FUNCTION kamachat_search_bigrams(text) RETURNS text[]
                LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
                AS $$ SELECT {{Body}} $$;
                """);

        // MessageSearchBigrams' expression, word for word; the pattern written twice as there (no {2}, for string.Format).
        private const string Wide = @"[\u3040-\u3098\u309B-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF]";

        private const string Body = $"""
            CASE WHEN $1 ~ '{Wide}{Wide}' THEN ARRAY(
                SELECT DISTINCT pg_catalog.substr($1, i, 2) FROM pg_catalog.generate_series(1, pg_catalog.length($1) - 1) AS i
                WHERE pg_catalog.substr($1, i, 2) ~ '^{Wide}{Wide}$') END
            """;
    }
}
