using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MentionAuthorsAndRolesByUser : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_messages_ChannelId_Id_mentions_everyone",
                table: "messages");

            migrationBuilder.DropIndex(
                name: "IX_message_mentions_ChannelId_TargetId_MessageId_TargetType",
                table: "message_mentions");

            migrationBuilder.AddColumn<long>(
                name: "AuthorId",
                table: "message_mentions",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // Existing mentions take their message's author (before the index is built, so it is built once).
            migrationBuilder.Sql("""UPDATE message_mentions SET "AuthorId" = (SELECT m."AuthorId" FROM messages AS m WHERE m."Id" = message_mentions."MessageId")""");

            migrationBuilder.CreateIndex(
                name: "IX_messages_ChannelId_Id_AuthorId_mentions_everyone",
                table: "messages",
                columns: new[] { "ChannelId", "Id", "AuthorId", "MentionsEveryone" },
                filter: "\"MentionsEveryone\"");

            migrationBuilder.CreateIndex(
                name: "IX_message_mentions_ChannelId_TargetId_MessageId_author",
                table: "message_mentions",
                columns: new[] { "ChannelId", "TargetId", "MessageId", "TargetType", "AuthorId" });

            migrationBuilder.CreateIndex(
                name: "IX_member_roles_UserId_RoleId",
                table: "member_roles",
                columns: new[] { "UserId", "RoleId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_messages_ChannelId_Id_AuthorId_mentions_everyone",
                table: "messages");

            migrationBuilder.DropIndex(
                name: "IX_message_mentions_ChannelId_TargetId_MessageId_author",
                table: "message_mentions");

            migrationBuilder.DropIndex(
                name: "IX_member_roles_UserId_RoleId",
                table: "member_roles");

            migrationBuilder.DropColumn(
                name: "AuthorId",
                table: "message_mentions");

            migrationBuilder.CreateIndex(
                name: "IX_messages_ChannelId_Id_mentions_everyone",
                table: "messages",
                columns: new[] { "ChannelId", "Id" },
                filter: "\"MentionsEveryone\"");

            migrationBuilder.CreateIndex(
                name: "IX_message_mentions_ChannelId_TargetId_MessageId_TargetType",
                table: "message_mentions",
                columns: new[] { "ChannelId", "TargetId", "MessageId", "TargetType" });
        }
    }
}
