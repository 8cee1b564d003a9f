namespace OneStopPi.Snmp.Transport;

/// <summary>
/// Counts the requests <see cref="SnmpClient"/>'s GET, GETNEXT and GETBULK send on a caller's behalf:
/// one operation may send several (the halves of a GET split after tooBig, a GETBULK retried with fewer
/// repetitions, an SNMPv1 GET asked again without the varbind the agent lacks). Retransmissions of the
/// same request, SNMPv3 engine discovery and the resend after an SNMPv3 report are not counted. A request
/// counts when it is sent, so one that times out or is cancelled counts too.
/// </summary>
/// <remarks>
/// Pass the same counter to several calls to total them (e.g. every request to one device); it may be
/// shared by concurrent calls.
/// </remarks>
public sealed class SnmpRequestCounter
{
    private int _requests;

    /// <summary>Requests sent so far by the calls given this counter.</summary>
    public int Requests => Volatile.Read(ref _requests);

    internal void Increment() => Interlocked.Increment(ref _requests);
}
