using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Sqlite
{
    /// <summary>
    /// Message search: an FTS5 trigram index over message content (any substring of three or more characters, any
    /// script; case and Latin diacritics ignored, which needs SQLite 3.45+, bundled), an external-content table so the
    /// text is stored once, and triggers that keep it in step with every insert, edit and delete (cascades included)
    /// inside the same transaction. No per-row column sizes (columnsize=0): they serve only FTS5's own bm25 ranking, which
    /// search does not use, and would cost every send another row. Existing messages are indexed here, once.
    /// </summary>
    public partial class MessageSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE messages_fts USING fts5(
                    Content, content='messages', content_rowid='Id', columnsize=0,
                    tokenize='trigram case_sensitive 0 remove_diacritics 1');
                """);
            CreateTriggers(migrationBuilder);
            migrationBuilder.Sql("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');");
        }

        /// <summary>
        /// The triggers that keep the index in step. SQLite drops a table's triggers with it, and EF Core rebuilds a
        /// table (new table, copy, drop, rename) for changes SQLite cannot ALTER, such as a new foreign key: a later
        /// migration that rebuilds <c>messages</c> must call this again, from a migration of its own that runs after it
        /// (EF Core runs a migration's rebuilds after its other operations); the search tests fail if it does not.
        /// </summary>
        public static void CreateTriggers(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TRIGGER IF NOT EXISTS messages_fts_insert AFTER INSERT ON messages BEGIN
                    INSERT INTO messages_fts(rowid, Content) VALUES (new.Id, new.Content);
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER IF NOT EXISTS messages_fts_delete AFTER DELETE ON messages BEGIN
                    INSERT INTO messages_fts(messages_fts, rowid, Content) VALUES ('delete', old.Id, old.Content);
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER IF NOT EXISTS messages_fts_update AFTER UPDATE OF Content ON messages BEGIN
                    INSERT INTO messages_fts(messages_fts, rowid, Content) VALUES ('delete', old.Id, old.Content);
                    INSERT INTO messages_fts(rowid, Content) VALUES (new.Id, new.Content);
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS messages_fts_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS messages_fts_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS messages_fts_insert;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS messages_fts;");
        }
    }
}
