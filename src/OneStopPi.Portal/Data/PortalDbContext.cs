using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace OneStopPi.Portal.Data;

/// <summary>
/// The portal's model. Each provider has a sealed subclass with its own migrations
/// (Data/Migrations/Sqlite, Data/Migrations/Postgres), applied at start.
/// </summary>
internal abstract class PortalDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Site> Sites => Set<Site>();
    public DbSet<Agent> Agents => Set<Agent>();
    public DbSet<OperatorToken> OperatorTokens => Set<OperatorToken>();
    public DbSet<UploadBatch> Batches => Set<UploadBatch>();
    public DbSet<Scan> Scans => Set<Scan>();
    public DbSet<Device> Devices => Set<Device>();
    public DbSet<Reading> Readings => Set<Reading>();
    public DbSet<CounterValue> CounterValues => Set<CounterValue>();
    public DbSet<SupplyLevel> SupplyLevels => Set<SupplyLevel>();
    public DbSet<ReadingAlert> ReadingAlerts => Set<ReadingAlert>();
    public DbSet<DeviceSighting> DeviceSightings => Set<DeviceSighting>();
    public DbSet<AgentCommand> Commands => Set<AgentCommand>();
    public DbSet<CommandResult> CommandResults => Set<CommandResult>();
    public DbSet<Release> Releases => Set<Release>();
    public DbSet<AlertSettings> AlertSettings => Set<AlertSettings>();
    public DbSet<Alert> Alerts => Set<Alert>();
    public DbSet<AlertDelivery> AlertDeliveries => Set<AlertDelivery>();

    /// <summary>True when a failed SaveChanges was a unique-index violation (the upload race).</summary>
    public abstract bool IsUniqueViolation(DbUpdateException exception);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Site>(b =>
        {
            b.Property(s => s.Name).HasMaxLength(200);
            b.Property(s => s.TimeZone).HasMaxLength(64);
            b.Property(s => s.MeterTime).HasMaxLength(5);
            b.Property(s => s.MeterTimes).HasMaxLength(200);
            b.Property(s => s.LogMode).HasMaxLength(16);
            b.HasIndex(s => s.EnrolmentKeyHash).IsUnique();
        });
        modelBuilder.Entity<Agent>(b =>
        {
            b.Property(a => a.HardwareId).HasMaxLength(128);
            b.Property(a => a.Mac).HasMaxLength(17);
            b.Property(a => a.Hostname).HasMaxLength(253);
            b.Property(a => a.Version).HasMaxLength(64);
            b.Property(a => a.ClockSource).HasMaxLength(16);
            b.HasIndex(a => a.HardwareId).IsUnique();
            b.HasOne<Site>().WithMany().HasForeignKey(a => a.EnrolledSiteId).OnDelete(DeleteBehavior.Restrict);
            b.HasOne<Site>().WithMany().HasForeignKey(a => a.SiteId).OnDelete(DeleteBehavior.SetNull);
        });
        modelBuilder.Entity<OperatorToken>(b =>
        {
            b.Property(t => t.Name).HasMaxLength(100);
            b.HasIndex(t => t.TokenHash).IsUnique();
        });
        modelBuilder.Entity<UploadBatch>(b =>
        {
            b.ToTable("Batches");
            b.Property(x => x.BatchKey).HasMaxLength(64);
            // The idempotency guarantee: a second insert of the same batch fails here, inside its transaction.
            b.HasIndex(x => x.BatchKey).IsUnique();
            b.HasIndex(x => new { x.AgentId, x.ReceivedAt });
            b.HasOne<Agent>().WithMany().HasForeignKey(x => x.AgentId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Scan>(b =>
        {
            b.Property(s => s.EntryName).HasMaxLength(255);
            b.HasIndex(s => new { s.SiteId, s.EndedAt }); // the site's latest scan (the device-silent alert rule)
            b.HasOne(s => s.Batch).WithMany().HasForeignKey(s => s.BatchId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Device>(b =>
        {
            b.Property(d => d.Vendor).HasMaxLength(256);
            b.Property(d => d.Serial).HasMaxLength(256);
            b.Property(d => d.Mac).HasMaxLength(17);
            b.Property(d => d.Ip).HasMaxLength(45);
            b.HasIndex(d => new { d.SiteId, d.Vendor, d.Serial }).IsUnique().HasFilter("\"Serial\" IS NOT NULL");
            b.HasIndex(d => new { d.SiteId, d.Mac });
            b.HasOne<Site>().WithMany().HasForeignKey(d => d.SiteId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Reading>(b =>
        {
            b.Property(r => r.Ip).HasMaxLength(45);
            b.HasIndex(r => new { r.DeviceId, r.At });
            b.HasIndex(r => new { r.SiteId, r.At });
            // One reading per device per scheduled meter slot, whichever box's arrives first; decides the two-box race too.
            b.HasIndex(r => new { r.DeviceId, r.Slot }).IsUnique().HasFilter("\"Slot\" IS NOT NULL");
            b.HasOne(r => r.Scan).WithMany().HasForeignKey(r => r.ScanId).OnDelete(DeleteBehavior.Cascade);
            b.HasOne(r => r.Device).WithMany().HasForeignKey(r => r.DeviceId).OnDelete(DeleteBehavior.SetNull);
            b.HasMany(r => r.Counters).WithOne().HasForeignKey(c => c.ReadingId).OnDelete(DeleteBehavior.Cascade);
            b.HasMany(r => r.Supplies).WithOne().HasForeignKey(s => s.ReadingId).OnDelete(DeleteBehavior.Cascade);
            b.HasMany(r => r.Alerts).WithOne().HasForeignKey(a => a.ReadingId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<DeviceSighting>(b =>
        {
            b.HasKey(s => new { s.DeviceId, s.AgentId });
            b.Property(s => s.Ip).HasMaxLength(45);
            b.HasOne(s => s.Device).WithMany().HasForeignKey(s => s.DeviceId).OnDelete(DeleteBehavior.Cascade);
            b.HasOne<Agent>().WithMany().HasForeignKey(s => s.AgentId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<CounterValue>(b =>
        {
            b.Property(c => c.Name).HasMaxLength(16);
            b.Property(c => c.Oid).HasMaxLength(256);
        });
        modelBuilder.Entity<AgentCommand>(b =>
        {
            b.ToTable("Commands");
            b.Property(c => c.Parameter).HasMaxLength(1024);
            b.HasIndex(c => new { c.AgentId, c.State });
            b.HasOne<Agent>().WithMany().HasForeignKey(c => c.AgentId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<CommandResult>(b =>
        {
            b.HasKey(r => r.CommandId);
            b.HasOne<AgentCommand>().WithOne().HasForeignKey<CommandResult>(r => r.CommandId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Release>(b =>
        {
            b.Property(r => r.Version).HasMaxLength(64);
            b.Property(r => r.Architecture).HasMaxLength(16);
            b.HasIndex(r => new { r.Version, r.Architecture }).IsUnique();
        });
        AlertModel.Configure(modelBuilder);
    }
}

/// <summary>SQLite: the default, a file in the portal's data directory.</summary>
internal sealed class SqlitePortalDbContext(DbContextOptions<SqlitePortalDbContext> options) : PortalDbContext(options)
{
    public override bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 }; // SQLITE_CONSTRAINT

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite keeps DateTime as ISO text without a kind: every time here is UTC, say so on read.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcConverter>();
    }

    private sealed class UtcConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

/// <summary>
/// PostgreSQL through Npgsql, chosen by configuration. It also holds the Data Protection key ring, so every
/// portal process on the database shares it (Security/PortalKeyRing.cs).
/// </summary>
internal sealed class NpgsqlPortalDbContext(DbContextOptions<NpgsqlPortalDbContext> options)
    : PortalDbContext(options), Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.IDataProtectionKeyContext
{
    public DbSet<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey> DataProtectionKeys =>
        Set<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey>();

    public override bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation };
}
