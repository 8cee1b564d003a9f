using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Collection.Requests;

/// <summary>
/// GET, GETNEXT and GETBULK to one agent through <see cref="SnmpClient"/>, which splits on tooBig and
/// asks again without the varbind an SNMPv1 agent lacks; this adds up the requests those calls send.
/// Once the agent has answered (in this visit, or before when the caller says so) it is alive and its
/// silences are loss: every request then gets <see cref="DevicePersistence.AliveRetries"/> retransmissions,
/// timed by the agent's learnt round trip.
/// </summary>
internal sealed class CountedSnmp
{
    private readonly SnmpClient _client;
    private readonly SnmpRequestCounter _requests = new();
    private readonly SnmpTarget _alive;
    private volatile bool _answered;

    public CountedSnmp(SnmpClient client, SnmpTarget target, DevicePersistence persistence, bool knownAlive, RoundTripEstimator network)
    {
        _client = client;
        var roundTrip = new RoundTripEstimator(persistence.MinTimeout, network, persistence.InitialTimeout);

        // A printer on SNMPv1 that answers genErr for one object it cannot read should not cost the whole GET.
        FirstContact = target with { TreatV1GenErrAsMissing = true, RoundTrip = roundTrip };
        _alive = FirstContact with { Retries = Math.Max(persistence.AliveRetries, target.Retries ?? 0) };
        _answered = knownAlive;
    }

    /// <summary>The target as first asked: the caller's retries, for an agent not known to be there.</summary>
    public SnmpTarget FirstContact { get; }

    /// <summary>The target for the next request.</summary>
    public SnmpTarget Target => _answered ? _alive : FirstContact;

    /// <summary>Requests sent so far (retransmissions of the same request not counted).</summary>
    public int Requests => _requests.Requests;

    public bool CanBulk => FirstContact.Credentials.Version != SnmpVersion.V1;

    /// <summary>The agent answered something in this visit (an error status or SNMPv3 report counts).</summary>
    public void Answered() => _answered = true;

    public async ValueTask<IReadOnlyList<Varbind>> GetAsync(IReadOnlyList<ObjectIdentifier> oids, CancellationToken cancellationToken) =>
        Heard(await Tracked(_client.GetAsync(Target, oids, _requests, cancellationToken)).ConfigureAwait(false));

    public async ValueTask<IReadOnlyList<Varbind>> GetNextAsync(IReadOnlyList<ObjectIdentifier> oids, CancellationToken cancellationToken) =>
        Heard(await Tracked(_client.GetNextAsync(Target, oids, _requests, cancellationToken)).ConfigureAwait(false));

    public async ValueTask<IReadOnlyList<Varbind>> GetBulkAsync(int maxRepetitions, IReadOnlyList<ObjectIdentifier> oids, CancellationToken cancellationToken) =>
        Heard(await Tracked(_client.GetBulkAsync(Target, 0, maxRepetitions, oids, _requests, cancellationToken)).ConfigureAwait(false));

    private IReadOnlyList<Varbind> Heard(IReadOnlyList<Varbind> answer)
    {
        _answered = true;
        return answer;
    }

    /// <summary>An error status or an SNMPv3 report is an answer too: the agent is there.</summary>
    private async ValueTask<IReadOnlyList<Varbind>> Tracked(ValueTask<IReadOnlyList<Varbind>> operation)
    {
        try
        {
            return await operation.ConfigureAwait(false);
        }
        catch (Exception e) when (e is SnmpErrorStatusException or SnmpReportException)
        {
            _answered = true;
            throw;
        }
    }
}
