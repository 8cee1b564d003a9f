using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace OneStopPi.Agent.Hosting;

/// <summary>
/// Sends WATCHDOG=1 to systemd at half the interval systemd asked for ($WATCHDOG_USEC,
/// sd_watchdog_enabled(3)), but only while every stage is alive (<see cref="AgentStages"/>, each by
/// its own deadline); one stalled stage stops the pings and systemd restarts the service.
/// Microsoft.Extensions.Hosting.Systemd sends only READY=1 and STOPPING=1, so the watchdog is ours.
/// </summary>
public sealed partial class WatchdogService : BackgroundService
{
    private readonly ISystemdNotifier _notifier;
    private readonly AgentStages _stages;
    private readonly TimeProvider _time;
    private readonly ILogger<WatchdogService> _logger;
    private readonly TimeSpan? _interval;

    public WatchdogService(ISystemdNotifier notifier, AgentStages stages, TimeProvider time, ILogger<WatchdogService> logger, Func<string, string?>? getVariable = null)
    {
        _notifier = notifier;
        _stages = stages;
        _time = time;
        _logger = logger;
        getVariable ??= Environment.GetEnvironmentVariable;
        if (long.TryParse(getVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out long microseconds) && microseconds > 0)
        {
            _interval = TimeSpan.FromMicroseconds(microseconds / 2);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_interval is not { } interval || !_notifier.IsEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, _time);
        string? stalledReported = null;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (_stages.FirstStalled() is not { } stalled)
            {
                _notifier.Notify(new ServiceState("WATCHDOG=1"));
                stalledReported = null;
            }
            else if (stalledReported != stalled.Name)
            {
                LogStalled(stalled.Name, stalled.SinceLastBeat, stalled.Period);
                stalledReported = stalled.Name;
            }
        }
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogStalled(string stage, TimeSpan stalled, TimeSpan period)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(1101, nameof(LogStalled)),
                "Stage '{Stage}' has shown no life for {Stalled} (its period: {Period}); withholding watchdog pings so systemd restarts the agent",
                stage, stalled, period);
        }
    }
}
