using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Scheduling;

/// <summary>
/// The first stage: decides when to scan and hands <see cref="ScanJob"/>s to the worker through a
/// bounded channel. The daily meter scan follows the site's wall clock (<see cref="SiteClock"/>: once
/// per site day, only from a trusted clock, NTP's or the portal's); status scans run on the monotonic
/// clock every N minutes.
/// </summary>
public sealed partial class ScanScheduler : SupervisedStage
{
    private readonly PortalLink _link;
    private readonly RunStateStore _runState;
    private readonly SiteClock _clock;
    private readonly ChannelWriter<ScanJob> _jobs;
    private readonly TimeProvider _time;
    private readonly ILogger<ScanScheduler> _logger;
    private DateTimeOffset? _queuedMeterSlot;
    private readonly TimeSpan _tick;
    private bool _unsyncedLogged;
    private ClockSource _loggedSource;

    public ScanScheduler(PortalLink link, RunStateStore runState, SiteClock clock, ChannelWriter<ScanJob> jobs, TimeProvider time,
        AgentStages stages, ILogger<ScanScheduler> logger, AgentTimings? timings = null)
        : base(stages.Stage(AgentStages.Scheduler, PeriodOf((timings ?? new AgentTimings()).SchedulerTick)), time, logger)
    {
        _tick = (timings ?? new AgentTimings()).SchedulerTick;
        _link = link;
        _runState = runState;
        _clock = clock;
        _jobs = jobs;
        _time = time;
        _logger = logger;
    }

    protected override async Task RunStageAsync(CancellationToken stoppingToken)
    {
        long lastStatus = _time.GetTimestamp();
        using var timer = new PeriodicTimer(_tick, _time);
        do
        {
            Liveness.Beat();
            if (_link.Plan is not { Assigned: true } plan)
            {
                continue;
            }

            await QueueMeterScanIfDueAsync(plan, stoppingToken).ConfigureAwait(false);
            if (plan.StatusInterval > TimeSpan.Zero && _time.GetElapsedTime(lastStatus) >= plan.StatusInterval)
            {
                lastStatus = _time.GetTimestamp();
                await QueueAsync(new ScanJob(ScanKind.Status, false, null, "status interval"), stoppingToken).ConfigureAwait(false);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task QueueMeterScanIfDueAsync(SitePlan plan, CancellationToken cancellationToken)
    {
        ClockSource source = _clock.Source;
        bool trusted = source != ClockSource.None;
        if (!trusted && !_unsyncedLogged)
        {
            LogClockUnsynchronised(_clock.GetUtcNow());
            _unsyncedLogged = true;
        }
        else if (trusted && source != _loggedSource)
        {
            LogClockTrusted(source, _clock.PortalOffset ?? TimeSpan.Zero);
        }

        _loggedSource = source;
        var planner = new DailyScanPlanner(plan.MeterTimes, plan.Zone);
        AgentRunState state = _runState.Current;
        DueMeterScan? due = planner.Due(_clock.GetUtcNow(), trusted, state.LastMeterSlot, state.LastMeterDay);
        if (due is null || due.Occurrence == _queuedMeterSlot)
        {
            return;
        }

        _queuedMeterSlot = due.Occurrence;
        LogMeterDue(due.Day, due.Occurrence, due.Missed);
        var job = new ScanJob(ScanKind.Meter, due.Missed, due.Day, due.Missed ? "missed daily meter scan" : "daily meter scan") { MeterSlot = due.Occurrence };
        await QueueAsync(job, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A few ticks: one slow look at the clock or the state file is not a hang.</summary>
    private static TimeSpan PeriodOf(TimeSpan tick) => TimeSpan.FromTicks(Math.Max(tick.Ticks * 4, TimeSpan.FromMinutes(1).Ticks));

    /// <summary>Hands a job to the worker; a full queue waits for the worker, whose liveness then speaks for both.</summary>
    private async Task QueueAsync(ScanJob job, CancellationToken cancellationToken)
    {
        Liveness.Idle();
        await _jobs.WriteAsync(job, cancellationToken).ConfigureAwait(false);
        Liveness.Beat();
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogClockUnsynchronised(DateTimeOffset now)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(5001, nameof(LogClockUnsynchronised)),
                "The clock ({Now:u}) is not synchronised yet (no NTP, no answer from the portal); the daily meter scan waits for it", now);
        }
    }

    private void LogClockTrusted(ClockSource source, TimeSpan offset)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(5003, nameof(LogClockTrusted)),
                "The daily meter scan follows the {Source} clock (offset to the system clock: {Offset})", source, offset);
        }
    }

    private void LogMeterDue(DateOnly day, DateTimeOffset slot, bool missed)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(5002, nameof(LogMeterDue)),
                "Daily meter scan for {Day} is due (slot {Slot:u}, missed: {Missed})", day, slot, missed);
        }
    }
}
