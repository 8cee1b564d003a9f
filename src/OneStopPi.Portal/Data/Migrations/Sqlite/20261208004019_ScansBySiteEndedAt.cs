using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneStopPi.Portal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ScansBySiteEndedAt : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Scans_SiteId_EndedAt",
                table: "Scans",
                columns: new[] { "SiteId", "EndedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Scans_SiteId_EndedAt",
                table: "Scans");
        }
    }
}
