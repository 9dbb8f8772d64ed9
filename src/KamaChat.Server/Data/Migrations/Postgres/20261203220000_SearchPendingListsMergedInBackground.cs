using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Postgres
{
    /// <summary>
    /// The search indexes' pending lists merged by <c>PendingListMerger</c> once a second rather than by the send whose
    /// insert takes a list past 128 kB (<see cref="SearchGinPendingList"/>): the limit rises to 1 MB, more than a second of
    /// sends at the rates measured here adds (about 660 messages), so a send only appends its keys and the merge of
    /// what a second gathered runs on a connection of its own. The limit stays as a safety valve: if nothing merges,
    /// the sends do, and the list every search reads in full never holds more than 1 MB.
    /// </summary>
    public partial class SearchPendingListsMergedInBackground : Migration
    {
        /// <summary>The pending lists' limit, in kB, while they are merged in the background.</summary>
        public const int LimitKilobytes = 1024;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => SetLimit(migrationBuilder, LimitKilobytes);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => SetLimit(migrationBuilder, 128);

        private static void SetLimit(MigrationBuilder migrationBuilder, int kilobytes)
        {
            migrationBuilder.Sql($"""ALTER INDEX "IX_messages_search_trigram" SET (gin_pending_list_limit = {kilobytes});""");
            migrationBuilder.Sql($"""ALTER INDEX "IX_messages_search_bigram" SET (gin_pending_list_limit = {kilobytes});""");
        }
    }
}
