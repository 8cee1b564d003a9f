using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneStopPi.Portal.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AgentHeartbeatHealth : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ClockSource",
                table: "Agents",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "OutboxFull",
                table: "Agents",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "StageRestarts",
                table: "Agents",
                type: "integer",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ClockSource",
                table: "Agents");

            migrationBuilder.DropColumn(
                name: "OutboxFull",
                table: "Agents");

            migrationBuilder.DropColumn(
                name: "StageRestarts",
                table: "Agents");
        }
    }
}
