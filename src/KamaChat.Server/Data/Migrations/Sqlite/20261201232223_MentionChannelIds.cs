using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MentionChannelIds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_message_mentions_TargetType_TargetId",
                table: "message_mentions");

            migrationBuilder.AddColumn<long>(
                name: "ChannelId",
                table: "message_mentions",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // Existing mentions take their message's channel (a message never changes channel).
            migrationBuilder.Sql("""UPDATE message_mentions SET "ChannelId" = (SELECT m."ChannelId" FROM messages AS m WHERE m."Id" = message_mentions."MessageId")""");

            migrationBuilder.CreateIndex(
                name: "IX_message_mentions_ChannelId_TargetId_MessageId_TargetType",
                table: "message_mentions",
                columns: new[] { "ChannelId", "TargetId", "MessageId", "TargetType" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_message_mentions_ChannelId_TargetId_MessageId_TargetType",
                table: "message_mentions");

            migrationBuilder.DropColumn(
                name: "ChannelId",
                table: "message_mentions");

            migrationBuilder.CreateIndex(
                name: "IX_message_mentions_TargetType_TargetId",
                table: "message_mentions",
                columns: new[] { "TargetType", "TargetId" });
        }
    }
}
