using System.Globalization;
using Microsoft.Data.Sqlite;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>One stored batch as the portal keeps it (table Batches), with its readings counted.</summary>
internal sealed record StoredBatch(long Id, string BatchKey, int ReadingCount, int ReadingRows, int Scans, bool MissedMeter);

/// <summary>One stored reading (table Readings): the address it was read at, its error, and the device the portal filed it under.</summary>
internal sealed record StoredReading(string Ip, string? Error, long? DeviceId, string? DeviceSerial);

/// <summary>One stored reading of a scheduled meter slot: the device, the slot (as SQLite keeps it) and the box whose reading it is.</summary>
internal sealed record SlotReading(long DeviceId, string Slot, string HardwareId);

/// <summary>
/// The running portal's SQLite database (docs/portal-api.md, "Storage"), opened beside it (WAL): the
/// ground truth for "stored once, none lost", and a way to queue commands the operator API refuses.
/// </summary>
internal sealed class PortalDatabase
{
    private readonly string _connectionString;

    public PortalDatabase(string path) =>
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 30 }.ToString();

    /// <summary>The batches stored for the agent with this hardware id, in the order they were stored.</summary>
    public async Task<IReadOnlyList<StoredBatch>> BatchesAsync(string hardwareId)
    {
        await using SqliteConnection connection = await OpenAsync().ConfigureAwait(false);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = """
            SELECT b.Id, b.BatchKey, b.ReadingCount,
                   (SELECT COUNT(*) FROM Readings r WHERE r.BatchId = b.Id),
                   (SELECT COUNT(*) FROM Scans s WHERE s.BatchId = b.Id),
                   (SELECT COALESCE(MAX(s.MissedMeter), 0) FROM Scans s WHERE s.BatchId = b.Id)
            FROM Batches b JOIN Agents a ON a.Id = b.AgentId
            WHERE a.HardwareId = $hardware
            ORDER BY b.Id
            """;
        command.Parameters.AddWithValue("$hardware", hardwareId);
        var batches = new List<StoredBatch>();
        await using SqliteDataReader reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            batches.Add(new StoredBatch(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt64(5) != 0));
        }

        return batches;
    }

    /// <summary>Readings stored per device for the agent's batches (device id → count); unlinked readings under -1.</summary>
    public async Task<IReadOnlyDictionary<long, int>> ReadingsPerDeviceAsync(string hardwareId)
    {
        await using SqliteConnection connection = await OpenAsync().ConfigureAwait(false);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = """
            SELECT COALESCE(r.DeviceId, -1), COUNT(*)
            FROM Readings r JOIN Batches b ON b.Id = r.BatchId JOIN Agents a ON a.Id = b.AgentId
            WHERE a.HardwareId = $hardware
            GROUP BY COALESCE(r.DeviceId, -1)
            """;
        command.Parameters.AddWithValue("$hardware", hardwareId);
        var counts = new Dictionary<long, int>();
        await using SqliteDataReader reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            counts[reader.GetInt64(0)] = reader.GetInt32(1);
        }

        return counts;
    }

    /// <summary>Every reading of the site that belongs to a scheduled meter slot.</summary>
    public async Task<IReadOnlyList<SlotReading>> SlotReadingsAsync(int siteId)
    {
        await using SqliteConnection connection = await OpenAsync().ConfigureAwait(false);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = """
            SELECT r.DeviceId, r.Slot, a.HardwareId
            FROM Readings r JOIN Scans s ON s.Id = r.ScanId JOIN Agents a ON a.Id = s.AgentId
            WHERE r.SiteId = $site AND r.Slot IS NOT NULL
            ORDER BY r.Id
            """;
        command.Parameters.AddWithValue("$site", siteId);
        var readings = new List<SlotReading>();
        await using SqliteDataReader reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            readings.Add(new SlotReading(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
        }

        return readings;
    }

    /// <summary>The readings of one batch, in the order they were stored.</summary>
    public async Task<IReadOnlyList<StoredReading>> ReadingsOfBatchAsync(string batchKey)
    {
        await using SqliteConnection connection = await OpenAsync().ConfigureAwait(false);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = """
            SELECT r.Ip, r.Error, r.DeviceId, d.Serial
            FROM Readings r JOIN Batches b ON b.Id = r.BatchId LEFT JOIN Devices d ON d.Id = r.DeviceId
            WHERE b.BatchKey = $batch
            ORDER BY r.Id
            """;
        command.Parameters.AddWithValue("$batch", batchKey);
        var readings = new List<StoredReading>();
        await using SqliteDataReader reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            readings.Add(new StoredReading(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        return readings;
    }

    /// <summary>When the scans of one batch started, as the agent stamped them (UTC).</summary>
    public async Task<IReadOnlyList<DateTime>> ScanStartsAsync(string batchKey)
    {
        await using SqliteConnection connection = await OpenAsync().ConfigureAwait(false);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT s.StartedAt FROM Scans s JOIN Batches b ON b.Id = s.BatchId WHERE b.BatchKey = $batch ORDER BY s.Id";
        command.Parameters.AddWithValue("$batch", batchKey);
        var starts = new List<DateTime>();
        await using SqliteDataReader reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            starts.Add(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc));
        }

        return starts;
    }

    /// <summary>
    /// Queues a command for the agent straight into the table, bypassing the operator API's checks —
    /// what a newer or broken portal might send. Returns its id.
    /// </summary>
    public async Task<long> InsertCommandAsync(string hardwareId, int type, string? parameter)
    {
        await using SqliteConnection connection = await OpenAsync().ConfigureAwait(false);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO Commands (AgentId, Type, Parameter, State, CreatedAt)
            SELECT Id, $type, $parameter, 0, $now FROM Agents WHERE HardwareId = $hardware;
            SELECT last_insert_rowid();
            """;
        command.Parameters.AddWithValue("$type", type);
        command.Parameters.AddWithValue("$parameter", (object?)parameter ?? DBNull.Value);
        command.Parameters.AddWithValue("$now", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$hardware", hardwareId);
        return (long)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
    }

    private async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        return connection;
    }
}
