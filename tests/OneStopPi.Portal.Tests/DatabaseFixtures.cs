using Npgsql;
using OneStopPi.Portal.Tests.Support;
using OneStopPi.TestSupport;

namespace OneStopPi.Portal.Tests;

/// <summary>The contract on the default store: SQLite, a file in the portal's data directory.</summary>
[TestFixture]
public sealed class SqlitePortalTests : PortalContractTests
{
    private protected override Task<PortalServer> StartServerAsync() => PortalServer.StartAsync();
}

/// <summary>
/// The same contract on PostgreSQL, when ONESTOPPI_TEST_PG holds a connection string (.ci/run sets it up).
/// Each run migrates a fresh database named after the configured one and drops it afterwards.
/// </summary>
[TestFixture]
public sealed class PostgresPortalTests : PortalContractTests
{
    public const string Variable = "ONESTOPPI_TEST_PG";
    private string? _admin;
    private string? _database;

    private protected override async Task<PortalServer> StartServerAsync()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            Prerequisite.Missing("ONESTOPPI_TEST_PG is not set: the PostgreSQL tests need a server (.ci/run starts one and sets it)");
        }

        var builder = new NpgsqlConnectionStringBuilder(configured);
        _admin = builder.ConnectionString;
        _database = $"{builder.Database ?? "onestoppi"}_test_{Guid.NewGuid().ToString("N")[..12]}";
        builder.Database = _database;
        return await PortalServer.StartAsync(new Dictionary<string, string?>
        {
            ["Portal:DatabaseProvider"] = "postgres",
            ["Portal:ConnectionString"] = builder.ConnectionString,
        });
    }

    [OneTimeTearDown]
    public async Task DropDatabaseAsync()
    {
        if (_admin is null || _database is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
