using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KamaChat.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MemberRoleGrantPositions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "GrantPosition",
                table: "member_roles",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // Existing grants take the id of the audit log entry that recorded them (written in the grant's transaction, a
            // moment after it: the latest "roleAdded" of that role for that member, since a removal or a leave deletes the
            // row and a new grant writes a new entry). Where the log no longer has it (kept 90 days) the grant stays 0:
            // its role's mentions count from the join or read position, as they did before this column.
            migrationBuilder.Sql("""
                UPDATE member_roles AS mr SET "GrantPosition" = granted."Id"
                FROM (
                    SELECT a."ServerId", a."TargetId", (c.change ->> 'new')::bigint AS "RoleId", max(a."Id") AS "Id"
                    FROM audit_log AS a CROSS JOIN LATERAL jsonb_array_elements(a."Changes"::jsonb) AS c(change)
                    WHERE a."Action" = 'member_role_update' AND c.change ->> 'key' = 'roleAdded'
                    GROUP BY 1, 2, 3) AS granted
                WHERE mr."ServerId" = granted."ServerId" AND mr."UserId" = granted."TargetId" AND mr."RoleId" = granted."RoleId"
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "GrantPosition",
                table: "member_roles");
        }
    }
}
