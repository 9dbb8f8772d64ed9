using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Postgres
{
    /// <summary>
    /// The trigram index over the folded content with its spaces read as a letter (<c>translate(…, ' ', 'q')</c>), so that
    /// pg_trgm, which cuts text into words at every character that is not a letter or digit, also indexes the trigrams
    /// that run across a space. A phrase's candidates were every message holding its words anywhere (<c>"you like"</c> at
    /// 1,000,000 messages: 16,342 candidates for 938 matches, 13,430 heap pages read to recheck them); with
    /// <c>ouq</c>, <c>uql</c> and <c>qli</c> in the index they are about the messages holding the phrase. A single word's
    /// trigrams are the same as before (only the padding at word edges, which an unanchored LIKE never reads, is gone).
    /// 'q' is an ASCII letter so that it is part of a word in every locale; for text with a space or a 'q' the search
    /// keeps the exact LIKE on the folded text beside it, so neither can stand in for the other.
    /// </summary>
    public partial class SearchTrigramsAcrossWords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX IF EXISTS "IX_messages_search_trigram";""");
            migrationBuilder.Sql("""
                CREATE INDEX "IX_messages_search_trigram" ON messages USING gin (translate("SearchText", ' ', 'q') public.gin_trgm_ops)
                WITH (gin_pending_list_limit = 128);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX IF EXISTS "IX_messages_search_trigram";""");
            migrationBuilder.Sql("""
                CREATE INDEX "IX_messages_search_trigram" ON messages USING gin ("SearchText" public.gin_trgm_ops)
                WITH (gin_pending_list_limit = 128);
                """);
        }
    }
}
