namespace OneStopPi.Portal.Alerts;

/// <summary>The sites whose alerts are owed an evaluation: every site, or the ones named since the last one taken.</summary>
internal sealed record ChangedSites(bool All, IReadOnlySet<int> Sites)
{
    public static ChangedSites None { get; } = new(false, new HashSet<int>());

    public bool Any => All || Sites.Count > 0;
}

/// <summary>
/// What changed since the alert service last looked: the sites named by stored batches (or every site, when the
/// dealer-wide rules change), and a wake-up for the service. Pokes fold into one set until the service takes it, so a
/// burst of batches costs one evaluation of the sites it touched, and a poke that arrives while an evaluation runs
/// stays for the next one (it is never lost: the set is swapped out under the lock, not cleared after the work).
/// </summary>
internal sealed class AlertSignal
{
    private readonly SemaphoreSlim _poked = new(0, 1);
    private readonly Lock _gate = new();
    private HashSet<int> _sites = [];
    private bool _all;
    private long _cycles;

    /// <summary>Evaluations finished since start (tests wait on it).</summary>
    public long Cycles => Interlocked.Read(ref _cycles);

    /// <summary>The site's data changed (a batch stored, its rules set): evaluate it soon.</summary>
    public void Poke(int siteId)
    {
        lock (_gate)
        {
            _sites.Add(siteId);
            Wake();
        }
    }

    /// <summary>Something every site depends on changed (the dealer-wide rules): evaluate them all soon.</summary>
    public void Poke()
    {
        lock (_gate)
        {
            _all = true;
            Wake();
        }
    }

    /// <summary>
    /// Takes what is owed and starts a new set: whatever is poked from now on is for the next evaluation. The wake-up
    /// goes with it, so pokes already taken do not wake the service for an evaluation with nothing in it.
    /// </summary>
    public ChangedSites Take()
    {
        lock (_gate)
        {
            _poked.Wait(0);
            if (!_all && _sites.Count == 0)
            {
                return ChangedSites.None;
            }

            var taken = new ChangedSites(_all, _sites);
            (_all, _sites) = (false, []);
            return taken;
        }
    }

    /// <summary>Gives back what an evaluation took and could not finish (the database away): it is owed again.</summary>
    public void Restore(ChangedSites taken)
    {
        lock (_gate)
        {
            _all |= taken.All;
            _sites.UnionWith(taken.Sites);
        }
    }

    public void CycleDone() => Interlocked.Increment(ref _cycles);

    /// <summary>
    /// Returns true when poked (at once if a poke came since the last <see cref="Take"/>), false after
    /// <paramref name="wait"/> on <paramref name="time"/>, whichever is first.
    /// </summary>
    public async Task<bool> WaitAsync(TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var poke = _poked.WaitAsync(stop.Token);
        var delay = Task.Delay(wait, time, stop.Token);
        var first = await Task.WhenAny(poke, delay).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        // What is owed lives in the set, not in the wake-up: a wake-up lost to the timer loses no site.
        return first == poke;
    }

    private void Wake()
    {
        if (_poked.CurrentCount == 0)
        {
            _poked.Release();
        }
    }
}
