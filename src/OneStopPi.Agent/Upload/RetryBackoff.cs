namespace OneStopPi.Agent.Upload;

/// <summary>
/// Exponential backoff with full jitter (doubling from a floor to a cap): consecutive failures
/// wait longer, and a fleet of boxes that lost the portal together does not come back in step.
/// Randomness is injected.
/// </summary>
public sealed class RetryBackoff
{
    private readonly TimeSpan _floor;
    private readonly TimeSpan _cap;
    private readonly Random _random;
    private int _failures;

    public RetryBackoff(TimeSpan floor, TimeSpan cap, Random random)
    {
        _floor = floor;
        _cap = cap;
        _random = random;
    }

    public int ConsecutiveFailures => _failures;

    public void Succeeded() => _failures = 0;

    /// <summary>Records a failure and returns how long to wait before the next try.</summary>
    public TimeSpan Failed()
    {
        _failures++;
        double ceiling = Math.Min(_cap.TotalMilliseconds, _floor.TotalMilliseconds * Math.Pow(2, Math.Min(_failures - 1, 30)));
        // At least the floor, so a broken portal is never hammered.
        return TimeSpan.FromMilliseconds(_floor.TotalMilliseconds + _random.NextDouble() * Math.Max(0, ceiling - _floor.TotalMilliseconds));
    }
}
