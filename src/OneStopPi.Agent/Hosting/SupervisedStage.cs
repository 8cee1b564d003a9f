using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Upload;

namespace OneStopPi.Agent.Hosting;

/// <summary>
/// A long-running stage of the agent, supervised. The policy, and why:
/// <list type="bullet">
/// <item>An unexpected exception is logged with the stage's name and the stage is restarted in this
/// process after a back-off (1 s doubling to 5 min, with jitter; back to 1 s once it ran 5 min), and the
/// restart is counted (<c>/status</c>, the heartbeat). Restarting the stage rather than the process keeps
/// the others working (the scans go on, the heartbeat tells the portal about the restarts), and one
/// persistent fault (a bad file, a permission) does not turn into a crash loop that systemd gives up on
/// after StartLimitBurst.</item>
/// <item>A stage that hangs (no beat by its deadline, <see cref="StageLiveness"/>) cannot be restarted from
/// inside: the watchdog withholds its pings and systemd restarts the process (WatchdogSec=).</item>
/// <item>A stage that returns on its own ends on purpose (e.g. the LAN port is taken) and is not watched.</item>
/// </list>
/// </summary>
public abstract partial class SupervisedStage : BackgroundService
{
    private static readonly TimeSpan RestartFloor = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RestartCap = TimeSpan.FromMinutes(5);
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RetryBackoff _backoff;

    protected SupervisedStage(StageLiveness liveness, TimeProvider time, ILogger logger)
    {
        Liveness = liveness;
        _time = time;
        _logger = logger;
        _backoff = new RetryBackoff(RestartFloor, RestartCap, Random.Shared);
    }

    public StageLiveness Liveness { get; }

    /// <summary>The stage's loop; it beats <see cref="Liveness"/> as it goes round.</summary>
    protected abstract Task RunStageAsync(CancellationToken stoppingToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            long started = _time.GetTimestamp();
            Liveness.Beat();
            TimeSpan delay;
            try
            {
                await RunStageAsync(stoppingToken).ConfigureAwait(false);
                if (!stoppingToken.IsCancellationRequested)
                {
                    LogStageEnded(_logger, Liveness.Name);
                }

                Liveness.Finish();
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The isolation boundary of a stage: whatever escaped its loop is a bug or an
                // unforeseen environment; it is logged and the stage starts again.
                if (_time.GetElapsedTime(started) >= RestartCap)
                {
                    _backoff.Succeeded();
                }

                delay = _backoff.Failed();
                Liveness.RecordRestart(e);
                Liveness.Expect(delay);
                LogStageFailed(_logger, e, Liveness.Name, delay, Liveness.Restarts);
            }

            try
            {
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private static void LogStageFailed(ILogger logger, Exception exception, string stage, TimeSpan delay, int restarts)
    {
        if (logger.IsEnabled(LogLevel.Error))
        {
            logger.Log(LogLevel.Error, new EventId(1102, nameof(LogStageFailed)), exception,
                "Stage '{Stage}' failed; restarting it in {Delay} (restart {Restarts})", stage, delay, restarts);
        }
    }

    private static void LogStageEnded(ILogger logger, string stage)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.Log(LogLevel.Information, new EventId(1103, nameof(LogStageEnded)),
                "Stage '{Stage}' ended; it is no longer watched", stage);
        }
    }
}
