using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Tests.Service;

namespace OneStopPi.Agent.Tests.Hosting;

/// <summary>
/// Stage supervision and the watchdog, in this process on fake time: a stage that throws is logged
/// with its name and restarted after a back-off, counted; a stage that hangs stops the watchdog's pings
/// while the other stages keep beating. The faulty stages are test classes, no switch in the product.
/// </summary>
public sealed class StageSupervisionTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(10);
    private FakeTimeProvider _time = null!;
    private AgentStages _stages = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        _stages = new AgentStages(_time);
    }

    [Test]
    public async Task A_stage_that_throws_is_logged_with_its_name_restarted_after_a_back_off_and_counted()
    {
        var log = new ListLogger<FaultyStage>();
        using var stage = new FaultyStage(_stages.Stage("flaky", Period), _time, log, failures: 2);
        await stage.StartAsync(CancellationToken.None);

        await WaitUntilAsync(() => stage.Runs == 1 && stage.Liveness.Restarts == 1, "the first run failed");

        // Back-off: 1 s, then 1 to 2 s (jitter); then the stage runs for good and beats. Fake time goes in
        // 50 ms steps until the stage runs again (the back-off's timer may start a moment after the failure is counted).
        TimeSpan firstWait = await AdvanceUntilAsync(() => stage.Runs == 2 && stage.Liveness.Restarts == 2, "restarted once, failed again");
        TimeSpan secondWait = await AdvanceUntilAsync(() => stage.Runs == 3, "restarted twice, then running");
        Assert.That(firstWait, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)), "not before the back-off floor of one second");
        Assert.That(secondWait, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)));
        _time.Advance(Period * 2);
        await Task.Delay(50);
        Assert.Multiple(() =>
        {
            Assert.That(stage.Liveness.Restarts, Is.EqualTo(2));
            Assert.That(_stages.Restarts, Is.EqualTo(2), "what /status and the heartbeat report");
            Assert.That(stage.Liveness.LastFailure, Is.EqualTo("InvalidOperationException: fault 2 injected by the test"));
            Assert.That(log.WithId(1102).Select(e => (e.Level, e.Message)), Has.All.Matches<(LogLevel Level, string Message)>(
                e => e.Level == LogLevel.Error && e.Message.StartsWith("Stage 'flaky' failed; restarting it in", StringComparison.Ordinal)));
            Assert.That(log.WithId(1102).Count(), Is.EqualTo(2));
            Assert.That(stage.Liveness.IsStalled(out _), Is.False);
        });

        await stage.StopAsync(CancellationToken.None);
    }

    [Test]
    public async Task A_hanging_stage_stops_the_watchdog_pings_while_the_others_beat()
    {
        var notifier = new RecordingNotifier();
        var watchdogLog = new ListLogger<WatchdogService>();
        using var healthy = new FaultyStage(_stages.Stage("healthy", Period), _time, new ListLogger<FaultyStage>(), failures: 0);
        using var hanging = new FaultyStage(_stages.Stage("hanging", Period), _time, new ListLogger<FaultyStage>(), failures: 0, hangAfterRuns: 1);
        using var watchdog = new WatchdogService(notifier, _stages, _time, watchdogLog, name => name == "WATCHDOG_USEC" ? "2000000" : null);
        await healthy.StartAsync(CancellationToken.None);
        await hanging.StartAsync(CancellationToken.None);
        await watchdog.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => hanging.Hung, "the hanging stage is stuck");

        // WatchdogSec=2: a ping a second while every stage is within its 10-second period.
        await PassSecondsAsync(8);
        int pingsWhileAlive = notifier.Pings;
        Assert.That(pingsWhileAlive, Is.InRange(1, 8), "pinging while every stage is alive (a loaded machine may coalesce ticks)");
        Assert.That(_stages.FirstStalled(), Is.Null);

        await PassSecondsAsync(10);
        int pingsAtStall = notifier.Pings;
        await PassSecondsAsync(10);

        Assert.Multiple(() =>
        {
            Assert.That(notifier.Pings, Is.EqualTo(pingsAtStall), "no ping once a stage is stalled: systemd restarts the agent");
            Assert.That(pingsAtStall, Is.LessThanOrEqualTo(pingsWhileAlive + 3), "the pings stop within the stage's period");
            Assert.That(_stages.FirstStalled()?.Name, Is.EqualTo("hanging"));
            Assert.That(healthy.Liveness.IsStalled(out _), Is.False, "the healthy stage kept beating");
            Assert.That(watchdogLog.WithId(1101).Single().Message, Does.StartWith("Stage 'hanging' has shown no life for"));
        });

        await watchdog.StopAsync(CancellationToken.None);
        await healthy.StopAsync(CancellationToken.None);
        await hanging.StopAsync(CancellationToken.None);
    }

    [Test]
    public void A_stage_waiting_for_input_or_in_a_known_wait_is_not_stalled()
    {
        StageLiveness worker = _stages.Stage("worker", Period);
        worker.Idle();
        _time.Advance(TimeSpan.FromHours(5));
        Assert.That(worker.IsStalled(out TimeSpan silent), Is.False, "waiting for a job");
        Assert.That(silent, Is.EqualTo(TimeSpan.FromHours(5)));

        worker.Expect(TimeSpan.FromMinutes(30));
        _time.Advance(TimeSpan.FromMinutes(30) + Period - TimeSpan.FromSeconds(1));
        Assert.That(worker.IsStalled(out _), Is.False, "within the back-off and the period");
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(worker.IsStalled(out _), Is.True);
    }

    /// <summary>Moves fake time in 50 ms steps until <paramref name="condition"/> holds; returns how much fake time that took.</summary>
    private async Task<TimeSpan> AdvanceUntilAsync(Func<bool> condition, string what)
    {
        var step = TimeSpan.FromMilliseconds(50);
        TimeSpan advanced = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.That(advanced, Is.LessThan(TimeSpan.FromSeconds(10)), what);
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(120)), what); // a hang guard on the real clock
            _time.Advance(step);
            advanced += step;
            await Task.Delay(10);
        }

        return advanced;
    }

    private async Task PassSecondsAsync(int seconds)
    {
        for (int i = 0; i < seconds; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(30);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(120)), what); // a hang guard on the real clock
            await Task.Delay(5);
        }
    }

    /// <summary>A stage that throws on its first runs, then beats every second; or beats once and hangs.</summary>
    private sealed class FaultyStage : SupervisedStage
    {
        private readonly TimeProvider _time;
        private readonly int _failures;
        private readonly int? _hangAfterRuns;
        private int _runs;
        private volatile bool _hung;

        public FaultyStage(StageLiveness liveness, TimeProvider time, ILogger logger, int failures, int? hangAfterRuns = null)
            : base(liveness, time, logger)
        {
            _time = time;
            _failures = failures;
            _hangAfterRuns = hangAfterRuns;
        }

        public int Runs => Volatile.Read(ref _runs);

        public bool Hung => _hung;

        protected override async Task RunStageAsync(CancellationToken stoppingToken)
        {
            int run = Interlocked.Increment(ref _runs);
            if (run <= _failures)
            {
                throw new InvalidOperationException($"fault {run} injected by the test");
            }

            if (run == _hangAfterRuns)
            {
                _hung = true;
                await Task.Delay(Timeout.Infinite, stoppingToken); // stuck: no beat ever again
            }

            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Liveness.Beat();
            }
        }
    }

    private sealed class RecordingNotifier : ISystemdNotifier
    {
        private readonly ConcurrentQueue<string> _states = new();

        public bool IsEnabled => true;

        public int Pings => _states.Count(s => s == "WATCHDOG=1");

        public void Notify(ServiceState state) => _states.Enqueue(state.ToString());
    }
}
