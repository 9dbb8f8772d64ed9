using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Sqlite
{
    /// <summary>
    /// FTS5 merges the search index's segments four at a time by default (<c>automerge</c> 4). A send is a transaction
    /// of one message, which writes a segment of one leaf, and FTS5 pays for it with about a leaf of merge work on every
    /// level of the index — levels that grow with the history. Merging sixteen at a time halves the levels. Measured on a
    /// copy of the search bench's 1,000,000-message history, 3,000 inserts one per transaction: 14.9 WAL pages and
    /// 0.34 ms of CPU per insert against 24.5 and 0.97; the same rare and common word lookups afterwards cost the same
    /// CPU within noise (14 ms per word, three statements, on both). The setting lives in the FTS table's own config
    /// table, so it holds for every connection.
    /// </summary>
    public partial class SearchFtsAutomerge : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("INSERT INTO messages_fts(messages_fts, rank) VALUES ('automerge', 16);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("INSERT INTO messages_fts(messages_fts, rank) VALUES ('automerge', 4);");
        }
    }
}
