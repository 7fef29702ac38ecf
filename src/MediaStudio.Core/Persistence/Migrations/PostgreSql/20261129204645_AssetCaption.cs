using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MediaStudio.Core.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class AssetCaption : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Caption",
                table: "assets",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Caption",
                table: "assets");
        }
    }
}
