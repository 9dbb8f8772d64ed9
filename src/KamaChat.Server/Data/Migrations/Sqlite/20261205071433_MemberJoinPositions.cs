using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "JoinPosition",
                table: "channel_recipients",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // Existing rows take the smallest id of their JoinedAt's millisecond (JoinedAt is EF's DateTimeOffsetToBinary
            // integer here: its clock ticks / 1000 above 11 bits of its offset in minutes; SnowflakeGenerator.MinimumIdAt in SQL), so
            // members who joined before this column are not shown the pings sent before they joined either.
            foreach (var table in new[] { "members", "channel_recipients" })
                migrationBuilder.Sql($"""
                    UPDATE {table} SET "JoinPosition" = max(0, ((("JoinedAt" >> 11)
                        - (CASE WHEN ("JoinedAt" & 1024) != 0 THEN ("JoinedAt" & 2047) - 2048 ELSE ("JoinedAt" & 2047) END) * 600000) / 10)
                        - 63871286400000) << 22
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
