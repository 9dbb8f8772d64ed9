using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MemberJoinPositions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "JoinPosition",
                table: "members",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "JoinPosition",
                table: "channel_recipients",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // Existing rows take the smallest id of their JoinedAt's millisecond (SnowflakeGenerator.MinimumIdAt in SQL:
            // milliseconds since 2025-01-01 above 22 bits of node and sequence), so members who joined before this column
            // are not shown the pings sent before they joined either.
            foreach (var table in new[] { "members", "channel_recipients" })
                migrationBuilder.Sql($"""
                    UPDATE {table} SET "JoinPosition" = GREATEST(0, floor(extract(epoch FROM "JoinedAt") * 1000)::bigint - 1735689600000) << 22
                    """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "JoinPosition",
                table: "members");

            migrationBuilder.DropColumn(
                name: "JoinPosition",
                table: "channel_recipients");
        }
    }
}
