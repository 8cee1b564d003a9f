using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Scheduling;

/// <summary>Takes jobs off the scheduler's channel one at a time and runs them; records progress.</summary>
public sealed partial class ScanWorker : SupervisedStage
{
    private readonly ChannelReader<ScanJob> _jobs;
    private readonly IScanPipeline _pipeline;
    private readonly PortalLink _link;
    private readonly RunStateStore _runState;
    private readonly TimeProvider _time;
    private readonly ILogger<ScanWorker> _logger;

    public ScanWorker(ChannelReader<ScanJob> jobs, IScanPipeline pipeline, PortalLink link, RunStateStore runState, AgentStages stages,
        TimeProvider time, ILogger<ScanWorker> logger, AgentTimings? timings = null)
        : base(stages.Stage(AgentStages.ScanWorker, (timings ?? new AgentTimings()).ScanStallLimit), time, logger)
    {
        _jobs = jobs;
        _pipeline = pipeline;
        _link = link;
        _runState = runState;
        _time = time;
        _logger = logger;
    }

    public ScanJob? Running { get; private set; }

    protected override async Task RunStageAsync(CancellationToken stoppingToken)
    {
        // Waiting for a job is not a hang; a scan beats as devices are read (ScanPipeline).
        Liveness.Idle();
        await foreach (ScanJob job in _jobs.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            Liveness.Beat();
            if (_link.Plan is not { Assigned: true } plan)
            {
                LogSkipped(job.Kind, job.Reason);
                job.Completion?.TrySetException(new InvalidOperationException("The agent is not assigned to a site yet; nothing to scan."));
                continue;
            }

            Running = job;
            try
            {
                ScanOutcome outcome = await _pipeline.RunAsync(job, plan, stoppingToken).ConfigureAwait(false);
                await RecordDoneAsync(job, stoppingToken).ConfigureAwait(false);
                LogDone(job.Kind, job.Reason, outcome.Devices, outcome.Answered, outcome.BatchId);
                job.Completion?.TrySetResult(outcome);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                job.Completion?.TrySetCanceled(stoppingToken);
                throw;
            }
            catch (Exception e)
            {
                // Isolation boundary: one failed scan is logged and reported; the next one still runs.
                LogFailed(e, job.Kind, job.Reason);
                job.Completion?.TrySetException(e);
            }
            finally
            {
                Running = null;
                Liveness.Idle();
            }
        }
    }

    /// <summary>
    /// The scan's time in run.json. Its batch is in the outbox already: a run.json that cannot be written (a full
    /// disk) does not make the scan a failure; the worst case is one extra meter scan after a restart.
    /// </summary>
    private async Task RecordDoneAsync(ScanJob job, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        try
        {
            await _runState.UpdateAsync(state => job.Kind == ScanKind.Meter
                ? state with { LastMeterScan = now, LastMeterDay = Later(state.LastMeterDay, job.MeterDay), LastMeterSlot = Later(state.LastMeterSlot, job.MeterSlot) }
                : state with { LastStatusScan = now }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogNotRecorded(job.Kind, job.Reason, e.Message);
        }
    }

    private static T? Later<T>(T? a, T? b)
        where T : struct, IComparable<T> => a is null ? b : b is null ? a : (a.Value.CompareTo(b.Value) > 0 ? a : b);

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogSkipped(ScanKind kind, string reason)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(5101, nameof(LogSkipped)),
                "Skipped {Kind} scan ({Reason}): not assigned to a site", kind, reason);
        }
    }

    private void LogDone(ScanKind kind, string reason, int devices, int answered, string? batchId)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(5102, nameof(LogDone)),
                "{Kind} scan ({Reason}) done: {Devices} device(s), {Answered} answered, batch {BatchId}", kind, reason, devices, answered, batchId);
        }
    }

    private void LogNotRecorded(ScanKind kind, string reason, string error)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(5104, nameof(LogNotRecorded)),
                "{Kind} scan ({Reason}): its batch is stored but its time could not be written to run.json ({Error})", kind, reason, error);
        }
    }

    private void LogFailed(Exception exception, ScanKind kind, string reason)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(5103, nameof(LogFailed)), exception,
                "{Kind} scan ({Reason}) failed", kind, reason);
        }
    }
}
