namespace OneStopPi.Agent.Hosting;

/// <summary>
/// One stage's sign of life. The stage says, as it goes round, by when it will show life again:
/// <see cref="Beat"/> (within its <see cref="Period"/>), <see cref="Expect"/> (after a wait it
/// knows of, such as a back-off, plus the period) or <see cref="Idle"/> (blocked on input that only
/// another stage or a peer brings, so no deadline of its own). Past that deadline the stage is
/// stalled and <see cref="WatchdogService"/> withholds systemd's watchdog pings. Monotonic time only.
/// </summary>
public sealed class StageLiveness
{
    private const long NoDeadline = long.MaxValue;
    private readonly TimeProvider _time;
    private long _lastBeat;
    private long _deadline;
    private int _restarts;
    private int _finished;
    private string? _lastFailure;

    internal StageLiveness(string name, TimeSpan period, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        Name = name;
        Period = period;
        _time = time;
        Beat();
    }

    public string Name { get; }

    /// <summary>The longest the stage may go without a beat while it works.</summary>
    public TimeSpan Period { get; }

    /// <summary>How often the stage failed with an unexpected exception and was restarted.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>The last unexpected failure, type and message; null when there was none.</summary>
    public string? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>The stage ended on purpose (nothing to do, e.g. its port is taken); it is no longer watched.</summary>
    public bool Finished => Volatile.Read(ref _finished) == 1;

    public TimeSpan SinceLastBeat => _time.GetElapsedTime(Interlocked.Read(ref _lastBeat));

    /// <summary>The stage made progress; the next beat is due within <see cref="Period"/>.</summary>
    public void Beat() => Expect(TimeSpan.Zero);

    /// <summary>The stage is about to wait <paramref name="wait"/> on purpose; the next beat is due after it plus <see cref="Period"/>.</summary>
    public void Expect(TimeSpan wait)
    {
        long now = _time.GetTimestamp();
        Interlocked.Exchange(ref _lastBeat, now);
        Interlocked.Exchange(ref _deadline, Add(now, wait + Period));
    }

    /// <summary>The stage waits for input another stage or a peer brings (a job, a datagram); no deadline until its next beat.</summary>
    public void Idle()
    {
        Interlocked.Exchange(ref _lastBeat, _time.GetTimestamp());
        Interlocked.Exchange(ref _deadline, NoDeadline);
    }

    /// <summary>Whether the stage is past its deadline; <paramref name="silent"/> is the time since its last sign of life.</summary>
    public bool IsStalled(out TimeSpan silent)
    {
        silent = SinceLastBeat;
        return !Finished && _time.GetTimestamp() > Interlocked.Read(ref _deadline);
    }

    internal void RecordRestart(Exception failure)
    {
        Volatile.Write(ref _lastFailure, $"{failure.GetType().Name}: {failure.Message}");
        Interlocked.Increment(ref _restarts);
    }

    internal void Finish()
    {
        Volatile.Write(ref _finished, 1);
        Interlocked.Exchange(ref _deadline, NoDeadline);
    }

    private long Add(long timestamp, TimeSpan span)
    {
        double ticks = span.TotalSeconds * _time.TimestampFrequency;
        return ticks >= NoDeadline - timestamp ? NoDeadline : timestamp + (long)ticks;
    }
}

/// <summary>
/// The agent's stages and their liveness (scheduler, scan worker, uploader, portal sync, commands, LAN face),
/// for the watchdog, <c>/status</c> and the heartbeat.
/// </summary>
public sealed class AgentStages
{
    public const string Scheduler = "scheduler";
    public const string ScanWorker = "scan worker";
    public const string Uploader = "uploader";
    public const string PortalSync = "portal sync";
    public const string Commands = "commands";
    public const string LanFace = "LAN face";

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly List<StageLiveness> _stages = [];

    public AgentStages(TimeProvider time) => _time = time;

    public IReadOnlyList<StageLiveness> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _stages];
            }
        }
    }

    /// <summary>Restarts of all stages since the process started.</summary>
    public int Restarts => All.Sum(s => s.Restarts);

    /// <summary>The liveness of stage <paramref name="name"/>, made on first use (the worker and its pipeline share one).</summary>
    public StageLiveness Stage(string name, TimeSpan period)
    {
        lock (_gate)
        {
            StageLiveness? stage = _stages.Find(s => s.Name == name);
            if (stage is null)
            {
                stage = new StageLiveness(name, period, _time);
                _stages.Add(stage);
            }

            return stage;
        }
    }

    /// <summary>The first stage past its deadline, or null while all are alive.</summary>
    public StageLiveness? FirstStalled() => All.FirstOrDefault(s => s.IsStalled(out _));
}
