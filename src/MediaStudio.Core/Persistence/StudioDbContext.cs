using MediaStudio.Core.Jobs;
using Microsoft.EntityFrameworkCore;

namespace MediaStudio.Core.Persistence;

/// <summary>The studio's own rows: jobs now, assets and projects as they arrive.</summary>
public sealed class StudioDbContext(DbContextOptions<StudioDbContext> options) : DbContext(options)
{
    public DbSet<JobRecord> Jobs => Set<JobRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var job = modelBuilder.Entity<JobRecord>();
        job.HasKey(j => j.Id);
        job.Property(j => j.Kind).HasMaxLength(64);
        job.Property(j => j.Status).HasConversion<string>().HasMaxLength(16);
        job.Property(j => j.Stage).HasMaxLength(128);
        job.HasIndex(j => new { j.Status, j.CreatedAt });
    }
}
