using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// A wall clock that can be set (NTP stepping it, fake-hwclock at boot) over a monotonic clock that
/// only moves forward, as on a Raspberry Pi: <see cref="GetUtcNow"/> jumps, timers and timestamps don't.
/// </summary>
internal sealed class SteppableClock : TimeProvider
{
    [ThreadStatic]
    private static SteppableClock? t_readAwaited;

    private readonly FakeTimeProvider _monotonic;
    private TimeSpan _step;
    private int _awaitedReads;

    public SteppableClock(DateTimeOffset wallClock) => _monotonic = new FakeTimeProvider(wallClock);

    /// <summary>Wall-clock reads announced with <see cref="AwaitReadOnThisThread"/> that have happened.</summary>
    public int AwaitedReads => Volatile.Read(ref _awaitedReads);

    /// <summary>The next wall-clock read on this thread is counted in <see cref="AwaitedReads"/> (the scheduler's look at the time).</summary>
    public void AwaitReadOnThisThread() => t_readAwaited = this;

    public override DateTimeOffset GetUtcNow()
    {
        DateTimeOffset now = _monotonic.GetUtcNow() + _step;
        if (t_readAwaited == this)
        {
            t_readAwaited = null;
            Interlocked.Increment(ref _awaitedReads);
        }

        return now;
    }

    public override long GetTimestamp() => _monotonic.GetTimestamp();

    public override long TimestampFrequency => _monotonic.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _monotonic.CreateTimer(callback, state, dueTime, period);

    /// <summary>Time passes: both clocks move, timers fire.</summary>
    public void Advance(TimeSpan elapsed) => _monotonic.Advance(elapsed);

    /// <summary>Someone sets the wall clock (forward or back); no time passes.</summary>
    public void SetWallClock(DateTimeOffset wallClock) => _step += wallClock - GetUtcNow();
}

/// <summary>The clock-synchronisation check with the answer under the test's control; marks the scheduler's next look at the clock.</summary>
internal sealed class ControlledSynchronisation : ClockSynchronisation
{
    private readonly SteppableClock _clock;

    public ControlledSynchronisation(SteppableClock clock, bool synchronised, bool detectSteps = false)
        : base(clock, "/nonexistent/timesync/synchronized")
    {
        _clock = clock;
        Synchronised = synchronised;
        DetectSteps = detectSteps;
    }

    /// <summary>What systemd-timesyncd would say.</summary>
    public bool Synchronised { get; set; }

    /// <summary>Leave the decision to the real step detection (the kernel's NTP state counted as unsynchronised).</summary>
    public bool DetectSteps { get; }

    public override bool IsSynchronised()
    {
        bool answer = DetectSteps ? base.IsSynchronised() : Synchronised;
        // The scheduler reads the wall clock right after asking, on this thread: count that read.
        _clock.AwaitReadOnThisThread();
        return answer;
    }

    protected override bool KernelSaysSynchronised() => false;
}

/// <summary>
/// The scheduler and the worker of the agent in this process on a <see cref="SteppableClock"/>, with
/// the site's configuration from the cached state file and a scan pipeline that records what it is
/// asked to scan. Time is moved one scheduler tick at a time, waiting for the scheduler to look.
/// </summary>
internal sealed class SchedulerHarness : IAsyncDisposable
{
    public static readonly TimeSpan Tick = TimeSpan.FromMinutes(5);

    private readonly ScanScheduler _scheduler;
    private readonly ScanWorker _worker;
    private readonly RecordingPipeline _pipeline = new();
    private readonly ChannelReader<ScanJob> _queue;

    private SchedulerHarness(AgentPaths paths, SteppableClock clock, ControlledSynchronisation synchronisation)
    {
        Clock = clock;
        Synchronisation = synchronisation;
        RunState = new RunStateStore(paths);
        var link = new PortalLink(new AgentSettings(), paths, new PortalClient(new HttpClient()), new HardwareIdentity("test", null, "test"), "0.0.0-test", clock,
            NullLogger<PortalLink>.Instance);
        Assert.That(link.Plan, Is.Not.Null, "the cached configuration is loaded");
        var jobs = Channel.CreateBounded<ScanJob>(new BoundedChannelOptions(8) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        var stages = new AgentStages(clock);
        _queue = jobs.Reader;
        SiteClock = new SiteClock(clock, synchronisation);
        // As in the agent, the worker stamps its scans with the site clock.
        _worker = new ScanWorker(jobs.Reader, _pipeline, link, RunState, stages, SiteClock, NullLogger<ScanWorker>.Instance);
        _scheduler = new ScanScheduler(link, RunState, SiteClock, jobs.Writer, clock, stages, NullLogger<ScanScheduler>.Instance,
            new AgentTimings { SchedulerTick = Tick });
    }

    public SteppableClock Clock { get; }

    public ControlledSynchronisation Synchronisation { get; }

    /// <summary>The scheduler's time of day: NTP's (<see cref="Synchronisation"/>) or the portal's.</summary>
    public SiteClock SiteClock { get; }

    public RunStateStore RunState { get; }

    /// <summary>The scans run so far, in order.</summary>
    public IReadOnlyList<ScanJob> Scans => [.. _pipeline.Jobs];

    public IEnumerable<ScanJob> MeterScans => Scans.Where(j => j.Kind == ScanKind.Meter);

    /// <summary>
    /// Starts the scheduler on <paramref name="stateDirectory"/> (a cached configuration for a site with its
    /// daily scan at <paramref name="meterTime"/> in <paramref name="timeZone"/> is written there first).
    /// </summary>
    public static async Task<SchedulerHarness> StartAsync(string stateDirectory, SteppableClock clock, ControlledSynchronisation synchronisation,
        string meterTime = "06:00", string timeZone = "Europe/Berlin", IReadOnlyList<string>? meterTimes = null)
    {
        var paths = new AgentPaths(stateDirectory, Path.Combine(stateDirectory, "logs"), Path.Combine(stateDirectory, "config"));
        paths.EnsureCreated();
        var config = new AgentConfig(Guid.NewGuid(), 1, true, 1, ["127.0.88.1"], [], new SnmpConfig(["public"], []),
            meterTimes is null ? new ScheduleConfig(meterTime, timeZone, 0, 0) : ScheduleConfig.ForTimes(meterTimes, timeZone, 0, 0), "normal");
        await new JsonStateFile<CachedPortalConfig>(paths.State("portal-config.json"), AgentJsonContext.Default.CachedPortalConfig)
            .SaveAsync(new CachedPortalConfig("\"1\"", config, clock.GetUtcNow()));
        var harness = new SchedulerHarness(paths, clock, synchronisation);
        await harness._worker.StartAsync(CancellationToken.None);
        await harness._scheduler.StartAsync(CancellationToken.None);
        await harness.WaitForSchedulerAsync(0);
        return harness;
    }

    /// <summary>Lets <paramref name="duration"/> pass, one tick at a time, the scheduler looking at each.</summary>
    public async Task PassAsync(TimeSpan duration)
    {
        for (TimeSpan passed = TimeSpan.Zero; passed < duration; passed += Tick)
        {
            int looked = Clock.AwaitedReads;
            Clock.Advance(Tick);
            await WaitForSchedulerAsync(looked);
        }

        await SettleAsync();
    }

    /// <summary>Passes time until the wall clock reads <paramref name="wallClock"/> (rounded up to a tick).</summary>
    public Task PassUntilAsync(DateTimeOffset wallClock) => PassAsync(wallClock - Clock.GetUtcNow());

    /// <summary>Waits until every queued scan has run and been recorded in the run state.</summary>
    public async Task SettleAsync()
    {
        var clock = Stopwatch.StartNew();
        while (_queue.Count > 0 || _worker.Running is not null || _pipeline.InFlight > 0)
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(120)), "the worker does not finish (a hang guard)");
            await Task.Delay(5);
        }

        await Task.Delay(20);
    }

    public async ValueTask DisposeAsync()
    {
        await _scheduler.StopAsync(CancellationToken.None);
        await _worker.StopAsync(CancellationToken.None);
        _scheduler.Dispose();
        _worker.Dispose();
    }

    /// <summary>Waits until the scheduler has read the wall clock once more (it then decides on that reading).</summary>
    private async Task WaitForSchedulerAsync(int readsBefore)
    {
        var clock = Stopwatch.StartNew();
        while (Clock.AwaitedReads <= readsBefore)
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(120)), "the scheduler does not look at the clock (a hang guard)");
            await Task.Delay(1);
        }
    }

    private sealed class RecordingPipeline : IScanPipeline
    {
        private int _inFlight;

        public ConcurrentQueue<ScanJob> Jobs { get; } = new();

        public int InFlight => Volatile.Read(ref _inFlight);

        public Task<ScanOutcome> RunAsync(ScanJob job, SitePlan plan, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _inFlight);
            Jobs.Enqueue(job);
            Interlocked.Decrement(ref _inFlight);
            return Task.FromResult(new ScanOutcome(1, 1, Guid.NewGuid().ToString("N")));
        }
    }
}
