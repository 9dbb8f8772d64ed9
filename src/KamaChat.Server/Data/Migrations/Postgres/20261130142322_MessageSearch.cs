using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Postgres
{
    /// <summary>
    /// Message search: a pg_trgm GIN index over the folded content (lower case, accents removed by unaccent), which
    /// answers LIKE '%…%' for any substring of three or more characters in any script, Chinese and Japanese included.
    /// An index on an expression is maintained by PostgreSQL itself in the writing transaction: a message is findable
    /// the moment its insert commits. unaccent and pg_trgm are trusted contrib extensions (Debian: package postgresql;
    /// managed services allow both); the database owner may create them. Existing messages are indexed here, once.
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
                CREATE INDEX "IX_messages_search_trigram" ON messages
                USING gin (kamachat_search_fold("Content") public.gin_trgm_ops);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS \"IX_messages_search_trigram\";");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS kamachat_search_fold(text);");
        }
    }
}
