namespace OneStopPi.Snmp.Transport;

/// <summary>
/// The retransmission timeout for one agent, learnt from its round trips the way TCP learns one
/// (RFC 6298): a smoothed round-trip time plus four times its variation, between a floor and the
/// target's timeout. Only answers to a request's first attempt are measured: with the same request-id
/// retransmitted, an answer to a resent request may belong to any copy (Karn's rule). Shared by the requests of one device visit;
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
    private int _resentInARow;

    private readonly RoundTripEstimator? _network;

    /// <param name="floor">The shortest timeout: below it a busy agent's queueing delay would cause needless resends.</param>
    /// <param name="network">
    /// What the other agents of the network measured: the first timeout until this agent's own round trip is known
    /// (instead of the target's whole timeout), and fed with this agent's measurements too.
    /// </param>
    /// <param name="initial">
    /// The first timeout while nothing is measured (RFC 6298 says 1 s); capped by the target's timeout. Short costs
    /// little: a retransmission keeps the request-id, so a slow agent's answer to the first copy still completes it.
    /// </param>
    public RoundTripEstimator(TimeSpan floor, RoundTripEstimator? network = null, TimeSpan? initial = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(floor, TimeSpan.Zero);
        _floor = floor;
        _network = network;
        _initial = initial ?? TimeSpan.FromSeconds(1);
    }

    private readonly TimeSpan _initial;

    /// <summary>Clean round trips measured so far.</summary>
    public int Samples { get; private set; }

    /// <summary>The first attempt's timeout: the estimate, the network's until this agent's is measured, else the initial one; at most <paramref name="cap"/>.</summary>
    public TimeSpan FirstTimeout(TimeSpan cap)
    {
        lock (_gate)
        {
            if (_backedOff is null && !_measured && _network is not null)
            {
                return Clamp(_network.FirstTimeout(cap), cap);
            }

            TimeSpan estimate = _backedOff ?? (_measured ? _smoothed + (4 * _variation) : _initial);
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
            _resentInARow = 0;
            Samples++;
        }

        _network?.Measured(roundTrip);
    }

    /// <summary>
    /// A request answered only after resends, the last one waited <paramref name="timeout"/>. Once is loss (a lost
    /// datagram says nothing about the round trip); <see cref="ResendsBeforeBackOff"/> times in a row looks like an
    /// agent slower than the estimate, so that timeout is kept until a clean measurement (Karn's rule).
    /// </summary>
    public void AnsweredAfterResend(TimeSpan timeout)
    {
        lock (_gate)
        {
            if (++_resentInARow >= ResendsBeforeBackOff)
            {
                _backedOff = timeout;
            }
        }
    }

    /// <summary>Requests in a row answered only after resends before their timeout is kept: at 20 % loss each way, 3 in a row happen 5 % of the time.</summary>
    public const int ResendsBeforeBackOff = 3;

    private TimeSpan Clamp(TimeSpan value, TimeSpan cap)
    {
        TimeSpan ceiling = cap < _floor ? _floor : cap;
        return value < _floor ? _floor : value > ceiling ? ceiling : value;
    }
}
