using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace OneStopPi.Portal.Data;

// Used by `dotnet ef migrations add` only (see docs/portal-api.md, "Schema migrations").

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqlitePortalDbContext>
{
    public SqlitePortalDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class NpgsqlDesignTimeFactory : IDesignTimeDbContextFactory<NpgsqlPortalDbContext>
{
    public NpgsqlPortalDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<NpgsqlPortalDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
}
