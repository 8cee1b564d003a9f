namespace OneStopPi.Portal.Alerts;

/// <summary>Wakes the alert service before its period ends (a batch was stored); pokes while it works fold into one.</summary>
internal sealed class AlertSignal
{
    private readonly SemaphoreSlim _poked = new(0, 1);
    private readonly Lock _gate = new();
    private long _cycles;

    /// <summary>Evaluations finished since start (tests wait on it).</summary>
    public long Cycles => Interlocked.Read(ref _cycles);

    public void Poke()
    {
        lock (_gate)
        {
            if (_poked.CurrentCount == 0)
            {
                _poked.Release();
            }
        }
    }

    public void CycleDone() => Interlocked.Increment(ref _cycles);

    /// <summary>Returns when poked or after <paramref name="wait"/> on <paramref name="time"/>, whichever is first.</summary>
    public async Task WaitAsync(TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var poke = _poked.WaitAsync(stop.Token);
        var delay = Task.Delay(wait, time, stop.Token);
        await Task.WhenAny(poke, delay).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
