using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MediaStudio.Core.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class Heartbeat : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "HeartbeatAt",
                table: "jobs",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "HeartbeatAt",
                table: "jobs");
        }
    }
}
