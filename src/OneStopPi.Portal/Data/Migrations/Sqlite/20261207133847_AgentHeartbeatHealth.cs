using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneStopPi.Portal.Data.Migrations.Sqlite
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
                type: "TEXT",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "OutboxFull",
                table: "Agents",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "StageRestarts",
                table: "Agents",
                type: "INTEGER",
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
