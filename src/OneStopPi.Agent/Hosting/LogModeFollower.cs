using Microsoft.Extensions.Hosting;
using OneStopPi.Agent.Portal;

namespace OneStopPi.Agent.Hosting;

/// <summary>
/// Applies the site's log mode from the portal's configuration: at start (the cached configuration) and
/// whenever a new configuration arrives. Remote command 5 changes the mode until the next configuration.
/// </summary>
public sealed class LogModeFollower : BackgroundService
{
    private readonly PortalLink _link;
    private readonly LogControl _control;

    public LogModeFollower(PortalLink link, LogControl control)
    {
        _link = link;
        _control = control;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Task changed = _link.PlanChanged;
            if (_link.Plan is { } plan)
            {
                _control.TrySetMode(plan.LogMode);
            }

            await changed.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
    }
}
