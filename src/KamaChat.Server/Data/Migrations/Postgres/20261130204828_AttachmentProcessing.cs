using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AttachmentProcessing : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_attachments_MessageId",
                table: "attachments");

            migrationBuilder.AddColumn<string>(
                name: "Placeholder",
                table: "attachments",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PlaybackKey",
                table: "attachments",
                type: "character varying(512)",
                maxLength: 512,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreviewKey",
                table: "attachments",
                type: "character varying(512)",
                maxLength: 512,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ProcessingError",
                table: "attachments",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ProcessingProgress",
                table: "attachments",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Waveform",
                table: "attachments",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_attachments_MessageId_CreatedAt",
                table: "attachments",
                columns: new[] { "MessageId", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_attachments_MessageId_CreatedAt",
                table: "attachments");

            migrationBuilder.DropColumn(
                name: "Placeholder",
                table: "attachments");

            migrationBuilder.DropColumn(
                name: "PlaybackKey",
                table: "attachments");

            migrationBuilder.DropColumn(
                name: "PreviewKey",
                table: "attachments");

            migrationBuilder.DropColumn(
                name: "ProcessingError",
                table: "attachments");

            migrationBuilder.DropColumn(
                name: "ProcessingProgress",
                table: "attachments");

            migrationBuilder.DropColumn(
                name: "Waveform",
                table: "attachments");

            migrationBuilder.CreateIndex(
                name: "IX_attachments_MessageId",
                table: "attachments",
                column: "MessageId");
        }
    }
}
