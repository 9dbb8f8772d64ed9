using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LinkPreviewPictures : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ImageHash",
                table: "link_previews",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ImageHeight",
                table: "link_previews",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ImageWidth",
                table: "link_previews",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "LargeImage",
                table: "link_previews",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "link_images",
                columns: table => new
                {
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Width = table.Column<int>(type: "INTEGER", nullable: false),
                    Height = table.Column<int>(type: "INTEGER", nullable: false),
                    UsedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_link_images", x => x.Hash);
                });

            migrationBuilder.CreateTable(
                name: "message_link_images",
                columns: table => new
                {
                    MessageId = table.Column<long>(type: "INTEGER", nullable: false),
                    ImageHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_link_images", x => new { x.MessageId, x.ImageHash });
                    table.ForeignKey(
                        name: "FK_message_link_images_messages_MessageId",
                        column: x => x.MessageId,
                        principalTable: "messages",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_link_previews_ImageHash",
                table: "link_previews",
                column: "ImageHash");

            migrationBuilder.CreateIndex(
                name: "IX_link_images_UsedAt",
                table: "link_images",
                column: "UsedAt");

            migrationBuilder.CreateIndex(
                name: "IX_message_link_images_ImageHash",
                table: "message_link_images",
                column: "ImageHash");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "link_images");

            migrationBuilder.DropTable(
                name: "message_link_images");

            migrationBuilder.DropIndex(
                name: "IX_link_previews_ImageHash",
                table: "link_previews");

            migrationBuilder.DropColumn(
                name: "ImageHash",
                table: "link_previews");

            migrationBuilder.DropColumn(
                name: "ImageHeight",
                table: "link_previews");

            migrationBuilder.DropColumn(
                name: "ImageWidth",
                table: "link_previews");

            migrationBuilder.DropColumn(
                name: "LargeImage",
                table: "link_previews");
        }
    }
}
