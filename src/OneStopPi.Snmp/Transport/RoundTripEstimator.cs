namespace OneStopPi.Snmp.Transport;

/// <summary>
/// The retransmission timeout for one agent, learnt from its round trips the way TCP learns one
/// (RFC 6298): a smoothed round-trip time plus four times its variation, between a floor and the
/// target's timeout. Only answers to a request's first attempt are measured: with the same request-id
/// retransmitted, an answer to a resent request may belong to any copy (Karn's rule), so it only keeps
/// the backed-off timeout until a clean measurement comes. Shared by the requests of one device visit;
/// thread-safe.
/// </summary>
public sealed class RoundTripEstimator
{
    private readonly Lock _gate = new();
    private readonly TimeSpan _floor;
    private TimeSpan _smoothed;
    private TimeSpan _variation;
    private TimeSpan? _backedOff;
    private bool _measured;

    /// <param name="floor">The shortest timeout: below it a busy agent's queueing delay would cause needless resends.</param>
    public RoundTripEstimator(TimeSpan floor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(floor, TimeSpan.Zero);
        _floor = floor;
    }

    /// <summary>Clean round trips measured so far.</summary>
    public int Samples { get; private set; }

    /// <summary>The first attempt's timeout: <paramref name="cap"/> until a round trip is measured, then the estimate.</summary>
    public TimeSpan FirstTimeout(TimeSpan cap)
    {
        lock (_gate)
        {
            TimeSpan estimate = _backedOff ?? (_measured ? _smoothed + (4 * _variation) : cap);
            return Clamp(estimate, cap);
        }
    }

    /// <summary>The timeout after a retransmission: double the last one (RFC 6298 5.5), never above <paramref name="cap"/>.</summary>
    public TimeSpan NextTimeout(TimeSpan last, TimeSpan cap) => Clamp(last * 2, cap);

    /// <summary>A request answered on its first attempt after <paramref name="roundTrip"/> (RFC 6298 2.2, 2.3).</summary>
    public void Measured(TimeSpan roundTrip)
    {
        lock (_gate)
        {
            if (!_measured)
            {
                _smoothed = roundTrip;
                _variation = roundTrip / 2;
                _measured = true;
            }
            else
            {
                TimeSpan error = (_smoothed - roundTrip).Duration();
                _variation = (_variation * 0.75) + (error * 0.25);
                _smoothed = (_smoothed * 0.875) + (roundTrip * 0.125);
            }

            _backedOff = null;
            Samples++;
        }
    }

    /// <summary>A request answered only after resends, the last one waited <paramref name="timeout"/>: keep that until a clean measurement.</summary>
    public void AnsweredAfterResend(TimeSpan timeout)
    {
        lock (_gate)
        {
            _backedOff = timeout;
        }
    }

    private TimeSpan Clamp(TimeSpan value, TimeSpan cap)
    {
        TimeSpan ceiling = cap < _floor ? _floor : cap;
        return value < _floor ? _floor : value > ceiling ? ceiling : value;
    }
}
