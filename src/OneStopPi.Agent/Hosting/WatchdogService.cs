using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace OneStopPi.Agent.Hosting;

/// <summary>
/// Sends WATCHDOG=1 to systemd at half the interval systemd asked for ($WATCHDOG_USEC,
/// sd_watchdog_enabled(3)), but only while the pipeline shows life; a stalled pipeline stops the
/// pings and systemd restarts the service. Microsoft.Extensions.Hosting.Systemd sends only
/// READY=1 and STOPPING=1, so the watchdog is ours.
/// </summary>
public sealed partial class WatchdogService : BackgroundService
{
    private readonly ISystemdNotifier _notifier;
    private readonly PipelineLiveness _liveness;
    private readonly TimeProvider _time;
    private readonly ILogger<WatchdogService> _logger;
    private readonly TimeSpan? _interval;
    private readonly TimeSpan _stallLimit;

    public WatchdogService(ISystemdNotifier notifier, PipelineLiveness liveness, TimeProvider time, ILogger<WatchdogService> logger, Func<string, string?>? getVariable = null)
    {
        _notifier = notifier;
        _liveness = liveness;
        _time = time;
        _logger = logger;
        getVariable ??= Environment.GetEnvironmentVariable;
        if (long.TryParse(getVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out long microseconds) && microseconds > 0)
        {
            _interval = TimeSpan.FromMicroseconds(microseconds / 2);
        }

        // A pipeline loop beats at least every few seconds; ten minutes of silence is a hang.
        _stallLimit = TimeSpan.FromMinutes(10);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_interval is not { } interval || !_notifier.IsEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, _time);
        bool stalledReported = false;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (_liveness.SinceLastBeat <= _stallLimit)
            {
                _notifier.Notify(new ServiceState("WATCHDOG=1"));
                stalledReported = false;
            }
            else if (!stalledReported)
            {
                LogStalled(_liveness.SinceLastBeat);
                stalledReported = true;
            }
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "The scan pipeline has shown no progress for {Stalled}; withholding watchdog pings so systemd restarts the agent")]
    private partial void LogStalled(TimeSpan stalled);
}
