using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Scheduling;

namespace OneStopPi.Agent.Lan;

/// <summary>The last finished scan of one kind, as this process saw it.</summary>
public sealed record ScanRecord(ScanKind Kind, DateTimeOffset Finished, int Devices, int Answered, bool Failed);

/// <summary>The last scan of each kind since start (run.json keeps only the times across restarts).</summary>
public sealed class ScanHistory
{
    private ScanRecord? _meter;
    private ScanRecord? _status;

    public ScanRecord? LastMeter => Volatile.Read(ref _meter);

    public ScanRecord? LastStatus => Volatile.Read(ref _status);

    public void Record(ScanRecord record)
    {
        if (record.Kind == ScanKind.Meter)
        {
            Volatile.Write(ref _meter, record);
        }
        else
        {
            Volatile.Write(ref _status, record);
        }
    }
}

/// <summary>Decorates the scan pipeline to note each outcome in <see cref="ScanHistory"/> and its readings in <see cref="LastReadings"/>.</summary>
public sealed class RecordingScanPipeline : IScanPipeline
{
    private readonly IScanPipeline _inner;
    private readonly ScanHistory _history;
    private readonly LastReadings _readings;
    private readonly TimeProvider _time;

    public RecordingScanPipeline(IScanPipeline inner, ScanHistory history, LastReadings readings, TimeProvider time)
    {
        _inner = inner;
        _history = history;
        _readings = readings;
        _time = time;
    }

    public async Task<ScanOutcome> RunAsync(ScanJob job, SitePlan plan, CancellationToken cancellationToken)
    {
        try
        {
            ScanOutcome outcome = await _inner.RunAsync(job, plan, cancellationToken).ConfigureAwait(false);
            DateTimeOffset finished = _time.GetUtcNow();
            _history.Record(new ScanRecord(job.Kind, finished, outcome.Devices, outcome.Answered, false));
            if (outcome.Summaries is { } summaries)
            {
                await _readings.CaptureAsync(job.Kind, summaries, cancellationToken).ConfigureAwait(false);
            }

            return outcome;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Noted, then rethrown unchanged: the worker logs and reports it.
            _history.Record(new ScanRecord(job.Kind, _time.GetUtcNow(), 0, 0, true));
            throw;
        }
    }
}
