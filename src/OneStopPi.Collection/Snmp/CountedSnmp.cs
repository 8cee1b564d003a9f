using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Collection.Snmp;

/// <summary>
/// GET, GETNEXT and GETBULK to one agent through <see cref="SnmpClient"/>, which splits on tooBig and
/// asks again without the varbind an SNMPv1 agent lacks; this adds up the requests those calls send.
/// </summary>
internal sealed class CountedSnmp
{
    private readonly SnmpClient _client;
    private readonly SnmpRequestCounter _requests = new();

    public CountedSnmp(SnmpClient client, SnmpTarget target)
    {
        _client = client;

        // A printer on SNMPv1 that answers genErr for one object it cannot read should not cost the whole GET.
        Target = target with { TreatV1GenErrAsMissing = true };
    }

    public SnmpTarget Target { get; }

    /// <summary>Requests sent so far (retransmissions of the same request not counted).</summary>
    public int Requests => _requests.Requests;

    public bool CanBulk => Target.Credentials.Version != SnmpVersion.V1;

    public ValueTask<IReadOnlyList<Varbind>> GetAsync(IReadOnlyList<ObjectIdentifier> oids, CancellationToken cancellationToken) =>
        _client.GetAsync(Target, oids, _requests, cancellationToken);

    public ValueTask<IReadOnlyList<Varbind>> GetNextAsync(IReadOnlyList<ObjectIdentifier> oids, CancellationToken cancellationToken) =>
        _client.GetNextAsync(Target, oids, _requests, cancellationToken);

    public ValueTask<IReadOnlyList<Varbind>> GetBulkAsync(int maxRepetitions, IReadOnlyList<ObjectIdentifier> oids, CancellationToken cancellationToken) =>
        _client.GetBulkAsync(Target, 0, maxRepetitions, oids, _requests, cancellationToken);
}
