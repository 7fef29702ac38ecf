using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MediaStudio.Core.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Heartbeat : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "HeartbeatAt",
                table: "jobs",
                type: "INTEGER",
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
