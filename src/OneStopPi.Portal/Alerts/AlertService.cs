using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OneStopPi.Portal.Alerts;

/// <summary>
/// The portal's alert loop: evaluate the rules, send what is due, then sleep until the period ends, a retry is due or
/// a stored batch pokes it. Times come from the TimeProvider.
/// </summary>
internal sealed class AlertService(IServiceScopeFactory scopes, AlertSignal signal, TimeProvider time, IOptions<AlertOptions> options, ILogger<AlertService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromSeconds(Math.Max(1, options.Value.EvaluateSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = period;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var (raised, resolved) = await scope.ServiceProvider.GetRequiredService<AlertCycle>().RunAsync(stoppingToken).ConfigureAwait(false);
                if (raised + resolved > 0)
                {
                    logger.AlertCycle(raised, resolved);
                }

                if (await scope.ServiceProvider.GetRequiredService<AlertDeliverer>().DeliverDueAsync(stoppingToken).ConfigureAwait(false) is { } next)
                {
                    var untilNext = next - time.GetUtcNow().UtcDateTime;
                    wait = untilNext < wait ? (untilNext > TimeSpan.Zero ? untilNext : TimeSpan.FromSeconds(1)) : wait;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // A database that is away for a moment must not end the loop (a failing BackgroundService stops the
                // host): logged with its cause, and the next period tries again.
                logger.AlertCycleFailed(e);
            }

            signal.CycleDone();
            await signal.WaitAsync(wait, time, stoppingToken).ConfigureAwait(false);
        }
    }
}
