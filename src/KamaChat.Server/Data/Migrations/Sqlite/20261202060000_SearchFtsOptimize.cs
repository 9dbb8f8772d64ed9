using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Sqlite
{
    /// <summary>
    /// Indexing an existing history ('rebuild', in MessageSearch) leaves FTS5's index as a dozen segments on five levels,
    /// with merges of the largest ones begun and unfinished; <c>automerge</c> then finishes them a few pages at a time
    /// inside later transactions, so the first sends after an upgrade paid for rewriting tens of thousands of pages of
    /// old history. 'optimize' merges it all into one segment here, once. Measured on a 1,000,000-message history
    /// (sqlite3, one insert per transaction): over the first 9,000 inserts 13.5 WAL pages and 0.24–0.74 ms of CPU per
    /// insert before, 10.7 and 0.18–0.28 after; and a word looked up reads one segment instead of thirteen (10–40 % less
    /// CPU per FTS lookup). Indexes written later by sends form their own small segments, merged by <c>automerge</c>.
    /// </summary>
    public partial class SearchFtsOptimize : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("INSERT INTO messages_fts(messages_fts) VALUES ('optimize');");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
