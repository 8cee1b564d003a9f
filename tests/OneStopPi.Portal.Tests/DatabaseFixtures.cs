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
    private readonly PostgresTestDatabase _database = new();

    private protected override Task<PortalServer> StartServerAsync() => _database.StartServerAsync();

    [OneTimeTearDown]
    public Task DropDatabaseAsync() => _database.DropAsync();
}

/// <summary>
/// A fresh PostgreSQL database for one fixture, when ONESTOPPI_TEST_PG holds a connection string (.ci/run sets
/// it up): named after the configured one, migrated by the portal, dropped afterwards.
/// </summary>
internal sealed class PostgresTestDatabase
{
    private string? _admin;
    private string? _database;

    public async Task<PortalServer> StartServerAsync(IDictionary<string, string?>? settings = null) =>
        await PortalServer.StartAsync(Settings(settings));

    /// <summary>Another portal on the same database (its own data directory, key ring cache and TLS certificate).</summary>
    public async Task<PortalServer> StartAnotherServerAsync(string operatorToken, IDictionary<string, string?>? settings = null) =>
        _database is null
            ? throw new InvalidOperationException("StartServerAsync first: it creates the database")
            : await PortalServer.StartAsync(Settings(settings), operatorToken);

    private Dictionary<string, string?> Settings(IDictionary<string, string?>? settings)
    {
        var configured = Environment.GetEnvironmentVariable(PostgresPortalTests.Variable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            Prerequisite.Missing("ONESTOPPI_TEST_PG is not set: the PostgreSQL tests need a server (.ci/run starts one and sets it)");
        }

        var builder = new NpgsqlConnectionStringBuilder(configured);
        _admin ??= builder.ConnectionString;
        _database ??= $"{builder.Database ?? "onestoppi"}_test_{Guid.NewGuid().ToString("N")[..12]}";
        builder.Database = _database;
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Portal:DatabaseProvider"] = "postgres",
            ["Portal:ConnectionString"] = builder.ConnectionString,
        };
        return all;
    }

    public async Task DropAsync()
    {
        if (_admin is null || _database is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < DropAttempts)
            {
                // WITH (FORCE) terminates every other process on the database, and refuses with 42501 when one of
                // them is an autovacuum worker (it has no role the test role is a member of). A busy machine
                // vacuums the fresh database while the fixture ends; the worker is gone a moment later.
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        }
    }

    private const int DropAttempts = 60;
}
