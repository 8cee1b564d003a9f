using OneStopPi.Agent.Commands;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Readings;
using OneStopPi.Collection.Readings;

namespace OneStopPi.Agent.Scheduling;

/// <summary>
/// A scan's readings on their way to the outbox: every <see cref="ScanBatches.DevicesPerBatch"/> readings become one
/// batch (a reading document, zipped, under its own idempotent key), so a scan holds one batch's readings
/// at most, however large the fleet. The portal takes each batch as it comes; a scan that read nothing
/// still queues one empty batch, the record that it ran.
/// </summary>
public sealed class ScanBatches
{
    private readonly FileOutbox _outbox;
    private readonly TimeProvider _time;
    private readonly string _agentId;
    private readonly string _siteId;
    private readonly ScanKind _kind;
    private readonly bool _missed;
    private readonly DateTimeOffset _start;
    private readonly int _devicesPerBatch;
    private readonly List<DeviceReading> _pending;

    public ScanBatches(FileOutbox outbox, TimeProvider time, string agentId, string siteId, ScanKind kind, bool missed, DateTimeOffset start, int devicesPerBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(devicesPerBatch, 1);
        _outbox = outbox;
        _time = time;
        _agentId = agentId;
        _siteId = siteId;
        _kind = kind;
        _missed = missed;
        _start = start;
        _devicesPerBatch = devicesPerBatch;
        _pending = new List<DeviceReading>(devicesPerBatch);
    }

    /// <summary>The scheduled meter slot (UTC) the scan reads, written into every document; null for other scans.</summary>
    public DateTimeOffset? Slot { get; init; }

    /// <summary>The key of the scan's first batch in the outbox (null while none is, or when the outbox paused status batches).</summary>
    public string? FirstKey { get; private set; }

    /// <summary>Batches written so far (a status batch the outbox refused counts too: it was written and let go).</summary>
    public int Written { get; private set; }

    public async Task AddAsync(DeviceReading reading, CancellationToken cancellationToken)
    {
        _pending.Add(reading);
        if (_pending.Count >= _devicesPerBatch)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes what is pending; the scan's only batch even when nothing is.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_pending.Count > 0 || Written == 0)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset end = _time.GetUtcNow();
        string key = Guid.CreateVersion7(end).ToString("N");
        byte[] document = ReadingDocumentWriter.Write(_agentId, _siteId, _kind, _missed, _start, end, _pending, Slot);
        _pending.Clear();
        byte[] zip = InMemoryZip.Of([($"{_kind.ToString().ToLowerInvariant()}-{key}.xml", document)]);

        // A status batch is not queued while the outbox's budget is full of meter batches (FileOutbox.StatusPaused).
        OutboxItem? queued = await _outbox.AppendAsync(_kind == ScanKind.Meter ? OutboxItemKind.Meter : OutboxItemKind.Status, key,
            zip, cancellationToken).ConfigureAwait(false);
        FirstKey ??= queued?.Key;
        Written++;
    }
}
