using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MentionsEveryoneIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_messages_ChannelId_Id_mentions_everyone",
                table: "messages",
                columns: new[] { "ChannelId", "Id" },
                filter: "\"MentionsEveryone\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_messages_ChannelId_Id_mentions_everyone",
                table: "messages");
        }
    }
}
