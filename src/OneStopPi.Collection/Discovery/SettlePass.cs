namespace OneStopPi.Collection.Discovery;

/// <summary>
/// The settle pass: waits until every probed address answered (or refused) or had one timeout since its last
/// datagram. It wakes when an answer comes or the last unanswered address's time is up, not on a poll: the addresses
/// still waiting are kept in the order of their last send, latest first, and each is looked at again only until it settles.
/// </summary>
internal sealed class SettlePass(ILivenessWire wire, TimeProvider time)
{
    /// <summary>At most this long past the timeout the settle waits for answers already queued in our sockets to be read.</summary>
    internal static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(20);

    public async Task RunAsync(IReadOnlyList<ProbeRecord> sent, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Nothing is sent during the settle, so the last send of what still waits can only move earlier as answers come.
        ProbeRecord[] waiting = [.. sent.Where(p => !wire.Settled(p.Address)).OrderByDescending(p => p.LastSent)];
        int next = 0;
        while (true)
        {
            Task changed = wire.Changed; // taken before looking, so an answer in between still wakes us
            while (next < waiting.Length && wire.Settled(waiting[next].Address))
            {
                next++;
            }

            if (next == waiting.Length)
            {
                return; // everything answered
            }

            TimeSpan sinceLast = time.GetElapsedTime(waiting[next].LastSent);
            TimeSpan left = timeout - sinceLast;
            if (left <= TimeSpan.Zero)
            {
                // Time is up, but answers that already arrived may still wait in our sockets for this process to be
                // scheduled (a busy machine): they count by their arrival, so they are read before anything is decided.
                if (!wire.AnswersQueued || sinceLast - timeout >= DrainLimit)
                {
                    return;
                }

                left = DrainPoll;
            }

            await WaitAsync(changed, left, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitAsync(Task changed, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task delay = Task.Delay(limit, time, stop.Token);
        await Task.WhenAny(changed, delay).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false); // the timer of a delay that lost goes with it
        cancellationToken.ThrowIfCancellationRequested();
    }
}
