namespace OneStopPi.Agent.Scheduling;

/// <summary>What to scan: the daily discovery + meter scan, or a status scan of known devices.</summary>
public enum ScanKind
{
    Meter,
    Status,
}

/// <summary>One scan to run, from the schedule or a remote command.</summary>
/// <param name="MeterDay">For a scheduled meter scan: the site day it reads (recorded when done).</param>
/// <param name="MeterSlot">For a scheduled meter scan: the scheduled occurrence (UTC) it reads, sent with the readings so a
/// portal keeps one reading per device per slot when two boxes read one site; null for a forced scan.</param>
/// <param name="Completion">Set by the worker when the scan's batch is in the outbox (or it failed).</param>
public sealed record ScanJob(ScanKind Kind, bool Missed, DateOnly? MeterDay, string Reason, TaskCompletionSource<ScanOutcome>? Completion = null)
{
    public DateTimeOffset? MeterSlot { get; init; }
}

/// <summary>What a finished scan produced.</summary>
/// <param name="BatchId">The key of the scan's first batch in the outbox (a large scan writes several).</param>
/// <param name="Summaries">What the LAN page shows of each device read (LastReadings); the batches on disk are the portal's copy.</param>
public sealed record ScanOutcome(int Devices, int Answered, string? BatchId, IReadOnlyList<OneStopPi.Agent.Lan.DeviceSummary>? Summaries = null)
{
    /// <summary>Outbox batches the scan wrote.</summary>
    public int Batches { get; init; } = 1;
}
