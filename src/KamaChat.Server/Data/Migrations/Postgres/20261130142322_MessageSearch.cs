using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Postgres
{
    /// <summary>
    /// Message search: the content folded for case and accents (lower case, unaccent) kept in a stored generated column,
    /// and a pg_trgm GIN index over it, which answers LIKE '%…%' for any substring of three or more characters in any
    /// script, Chinese and Japanese included. The column is PostgreSQL's to maintain: it is written with the row in the
    /// same transaction, so a message is findable the moment its insert commits, and an edit replaces it. Storing the
    /// folded text (rather than indexing the expression) keeps rechecks and scans from running unaccent on every row they
    /// look at. unaccent and pg_trgm are trusted contrib extensions (Debian: package postgresql; managed services allow
    /// both); the database owner may create them. Adding the column rewrites the messages table once, here.
    /// </summary>
    public partial class MessageSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;");
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;");
            // unaccent() is only STABLE (its dictionary could change); an index needs an IMMUTABLE function, so this wrapper
            // names the dictionary explicitly and schema-qualifies everything (maintenance runs with a restricted search_path).
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION kamachat_search_fold(text) RETURNS text
                LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
                AS $$ SELECT pg_catalog.lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;
                """);
            migrationBuilder.Sql("""
                ALTER TABLE messages ADD COLUMN "SearchText" text GENERATED ALWAYS AS (kamachat_search_fold("Content")) STORED;
                """);
            migrationBuilder.Sql("""
                CREATE INDEX "IX_messages_search_trigram" ON messages USING gin ("SearchText" public.gin_trgm_ops);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS \"IX_messages_search_trigram\";");
            migrationBuilder.Sql("ALTER TABLE messages DROP COLUMN IF EXISTS \"SearchText\";");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS kamachat_search_fold(text);");
        }
    }
}
