namespace OneStopPi.Agent.Hosting;

/// <summary>
/// The scan pipeline's sign of life. Each stage loop calls <see cref="Beat"/> as it goes round;
/// the watchdog pings systemd only while beats keep coming, so a hung scanner is restarted
/// (systemd.service(5), WatchdogSec=).
/// </summary>
public sealed class PipelineLiveness
{
    private readonly TimeProvider _time;
    private long _lastBeat;

    public PipelineLiveness(TimeProvider time)
    {
        _time = time;
        _lastBeat = time.GetTimestamp();
    }

    public void Beat() => Interlocked.Exchange(ref _lastBeat, _time.GetTimestamp());

    public TimeSpan SinceLastBeat => _time.GetElapsedTime(Interlocked.Read(ref _lastBeat));
}
