using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneStopPi.Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AgentSetupKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SetupKeyProtected",
                table: "Agents",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "SetupKeyProtected",
                table: "Agents");
        }
    }
}
