using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Sqlite
{
    /// <summary>
    /// RoleHoistAndGroupDmSystemLines added a foreign key to messages, which SQLite cannot ALTER: EF Core rebuilt the
    /// table, and SQLite dropped the search index's triggers with the old one. They come back here, in a migration of
    /// their own because EF Core runs a migration's rebuilds after its other operations. Rows kept their ids, so the
    /// index still matched them; it is rebuilt anyway, once, so no database that ran the gap can keep a stale entry.
    /// </summary>
    public partial class RestoreMessageSearchTriggers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            MessageSearch.CreateTriggers(migrationBuilder);
            migrationBuilder.Sql("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
