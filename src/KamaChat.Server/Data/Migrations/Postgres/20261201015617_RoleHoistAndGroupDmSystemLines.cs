using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RoleHoistAndGroupDmSystemLines : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Hoist",
                table: "roles",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "Kind",
                table: "messages",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "TargetUserId",
                table: "messages",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "IconUrl",
                table: "channels",
                type: "character varying(2048)",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_messages_TargetUserId",
                table: "messages",
                column: "TargetUserId");

            migrationBuilder.AddForeignKey(
                name: "FK_messages_users_TargetUserId",
                table: "messages",
                column: "TargetUserId",
                principalTable: "users",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_messages_users_TargetUserId",
                table: "messages");

            migrationBuilder.DropIndex(
                name: "IX_messages_TargetUserId",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "Hoist",
                table: "roles");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "TargetUserId",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "IconUrl",
                table: "channels");
        }
    }
}
