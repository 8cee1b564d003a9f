using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneStopPi.Portal.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MeterSlotsAndSightings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "MeterTimes",
                table: "Sites",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "Slot",
                table: "Scans",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "Slot",
                table: "Readings",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "LastSeenByAgentId",
                table: "Devices",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "DeviceSightings",
                columns: table => new
                {
                    DeviceId = table.Column<long>(type: "bigint", nullable: false),
                    AgentId = table.Column<Guid>(type: "uuid", nullable: false),
                    LastSeenAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Ip = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DeviceSightings", x => new { x.DeviceId, x.AgentId });
                    table.ForeignKey(
                        name: "FK_DeviceSightings_Agents_AgentId",
                        column: x => x.AgentId,
                        principalTable: "Agents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_DeviceSightings_Devices_DeviceId",
                        column: x => x.DeviceId,
                        principalTable: "Devices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Readings_DeviceId_Slot",
                table: "Readings",
                columns: new[] { "DeviceId", "Slot" },
                unique: true,
                filter: "\"Slot\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_DeviceSightings_AgentId",
                table: "DeviceSightings",
                column: "AgentId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DeviceSightings");

            migrationBuilder.DropIndex(
                name: "IX_Readings_DeviceId_Slot",
                table: "Readings");

            migrationBuilder.DropColumn(
                name: "MeterTimes",
                table: "Sites");

            migrationBuilder.DropColumn(
                name: "Slot",
                table: "Scans");

            migrationBuilder.DropColumn(
                name: "Slot",
                table: "Readings");

            migrationBuilder.DropColumn(
                name: "LastSeenByAgentId",
                table: "Devices");
        }
    }
}
