using MediaStudio.Core.Assets;
using MediaStudio.Core.Jobs;
using MediaStudio.Core.Owners;
using Microsoft.EntityFrameworkCore;

namespace MediaStudio.Core.Persistence;

/// <summary>The studio's own rows: jobs and assets.</summary>
/// <remarks>Each database engine has a subclass that owns its migrations; code depends on this type only.</remarks>
public abstract class StudioDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<JobRecord> Jobs => Set<JobRecord>();

    public DbSet<AssetRecord> Assets => Set<AssetRecord>();

    public DbSet<QueueState> QueueStates => Set<QueueState>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var job = modelBuilder.Entity<JobRecord>();
        job.ToTable("jobs");
        job.HasKey(j => j.Id);
        job.Property(j => j.Kind).HasMaxLength(64);
        job.Property(j => j.OwnerId).HasMaxLength(Owner.MaxLength);
        job.Property(j => j.Status).HasConversion<string>().HasMaxLength(16);
        job.Property(j => j.Stage).HasMaxLength(128);
        job.Property(j => j.Worker).HasMaxLength(256);
        job.Property(j => j.Error).HasMaxLength(4000);
        job.HasIndex(j => new { j.Status, j.Position });
        job.HasIndex(j => new { j.OwnerId, j.CreatedAt });
        job.HasIndex(j => j.ParentId);

        var asset = modelBuilder.Entity<AssetRecord>();
        asset.ToTable("assets");
        asset.HasKey(a => a.Id);
        asset.Property(a => a.OwnerId).HasMaxLength(Owner.MaxLength);
        asset.Property(a => a.Kind).HasConversion<string>().HasMaxLength(16);
        asset.Property(a => a.MediaType).HasMaxLength(128);
        asset.Property(a => a.Sha256).HasMaxLength(64).IsFixedLength();
        asset.Property(a => a.Slot).HasMaxLength(64);
        asset.Property(a => a.FileName).HasMaxLength(256);
        asset.Property(a => a.Caption).HasMaxLength(AssetRecord.MaxCaptionLength);
        asset.HasIndex(a => new { a.OwnerId, a.CreatedAt });
        // one output per (job, slot): a re-run after a killed worker cannot publish a second copy
        asset.HasIndex(a => new { a.SourceJobId, a.Slot }).IsUnique();

        var queue = modelBuilder.Entity<QueueState>();
        queue.ToTable("queue_state");
        queue.HasKey(q => q.Id);
        queue.Property(q => q.Id).ValueGeneratedNever();
        queue.Property(q => q.Reason).HasMaxLength(256);

        // SQLite cannot order or compare DateTimeOffset; store UTC ticks there, native timestamptz elsewhere
        if (Database.IsSqlite())
        {
            foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(t => t.GetProperties())
                         .Where(p => p.ClrType == typeof(DateTimeOffset) || p.ClrType == typeof(DateTimeOffset?)))
            {
                property.SetValueConverter(new Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter());
            }
        }
    }
}

/// <summary>The embedded default: SQLite in the data folder.</summary>
public sealed class SqliteStudioDbContext(DbContextOptions<SqliteStudioDbContext> options) : StudioDbContext(options);

/// <summary>PostgreSQL, for several worker machines.</summary>
public sealed class PostgresStudioDbContext(DbContextOptions<PostgresStudioDbContext> options) : StudioDbContext(options);
