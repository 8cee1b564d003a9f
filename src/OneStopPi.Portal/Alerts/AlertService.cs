using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OneStopPi.Portal.Alerts;

/// <summary>One round of the alert service: evaluate the sites given (null: every site) and send what is due.</summary>
internal interface IAlertRound
{
    /// <returns>When the next pending delivery is due, or null when none is left.</returns>
    Task<DateTime?> RunAsync(IReadOnlySet<int>? sites, CancellationToken cancellationToken);
}

/// <summary>
/// The portal's alert loop. Every site is evaluated once a period (<see cref="AlertOptions.EvaluateSeconds"/>: the
/// rules that depend on the clock, a box gone silent or an error state outlasting its hold, change with no batch).
/// Between those, a stored batch pokes the loop, which evaluates only the sites poked since it last looked, and at
/// most once every <see cref="AlertOptions.EvaluateMinSeconds"/>: under a dealer's load batches arrive all the time,
/// and each evaluation would otherwise follow the last back to back. Times come from the TimeProvider.
/// </summary>
internal sealed class AlertService(IAlertRound round, AlertSignal signal, TimeProvider time, IOptions<AlertOptions> options, ILogger<AlertService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromSeconds(Math.Max(1, options.Value.EvaluateSeconds));
        var gap = TimeSpan.FromSeconds(Math.Clamp(options.Value.EvaluateMinSeconds, 0, period.TotalSeconds));
        long? lastSweep = null; // when the last evaluation of every site started (monotonic: the clock may be set)
        while (!stoppingToken.IsCancellationRequested)
        {
            long started = time.GetTimestamp();
            var owed = signal.Take(); // before reading anything: a batch stored from now on is poked into the next set
            bool sweep = owed.All || lastSweep is not { } last || time.GetElapsedTime(last, started) >= period;
            var wait = period;
            try
            {
                var next = await round.RunAsync(sweep ? null : owed.Sites, stoppingToken).ConfigureAwait(false);
                lastSweep = sweep ? started : lastSweep;
                wait = period - time.GetElapsedTime(lastSweep!.Value);
                if (next is { } due && due - time.GetUtcNow().UtcDateTime is var untilNext && untilNext < wait)
                {
                    wait = untilNext > TimeSpan.Zero ? untilNext : TimeSpan.FromSeconds(1);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // A database that is away for a moment must not end the loop (a failing BackgroundService stops the
                // host): logged with its cause, what was owed is owed again, and the next period tries again.
                signal.Restore(owed);
                logger.AlertCycleFailed(e);
            }

            signal.CycleDone();
            await signal.WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time, stoppingToken).ConfigureAwait(false);

            // At most one round per gap, whatever woke it: the pokes that arrive meanwhile fold into the next one.
            var since = time.GetElapsedTime(started);
            if (since < gap)
            {
                await Task.Delay(gap - since, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>The round on the database: the evaluation and the deliveries, in a scope (a DbContext) of their own.</summary>
internal sealed class ScopedAlertRound(IServiceScopeFactory scopes, ILogger<AlertService> logger) : IAlertRound
{
    public async Task<DateTime?> RunAsync(IReadOnlySet<int>? sites, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        if (sites is null || sites.Count > 0)
        {
            var (raised, resolved) = await scope.ServiceProvider.GetRequiredService<AlertCycle>().RunAsync(sites, cancellationToken).ConfigureAwait(false);
            if (raised + resolved > 0)
            {
                logger.AlertCycle(raised, resolved);
            }
        }

        return await scope.ServiceProvider.GetRequiredService<AlertDeliverer>().DeliverDueAsync(cancellationToken).ConfigureAwait(false);
    }
}
