using OneStopPi.Snmp;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Collection.Snmp;

/// <summary>
/// GET, GETNEXT and GETBULK to one agent, counting every request sent (a split or repeated request
/// counts each time). Handles tooBig by splitting the request, and an SNMPv1 agent's noSuchName or
/// genErr for one varbind by marking that varbind missing and asking again for the others.
/// </summary>
internal sealed class CountedSnmp
{
    private readonly SnmpClient _client;

    public CountedSnmp(SnmpClient client, SnmpTarget target)
    {
        _client = client;
        Target = target;
    }

    public SnmpTarget Target { get; }

    /// <summary>Requests sent so far (retransmissions of the same request not counted).</summary>
    public int Requests { get; private set; }

    public bool CanBulk => Target.Credentials.Version != SnmpVersion.V1;

    public ValueTask<IReadOnlyList<Varbind>> GetAsync(IReadOnlyList<ObjectIdentifier> oids, CancellationToken cancellationToken) =>
        GetOrNextAsync(PduType.GetRequest, oids, cancellationToken);

    public ValueTask<IReadOnlyList<Varbind>> GetNextAsync(IReadOnlyList<ObjectIdentifier> oids, CancellationToken cancellationToken) =>
        GetOrNextAsync(PduType.GetNextRequest, oids, cancellationToken);

    public async ValueTask<IReadOnlyList<Varbind>> GetBulkAsync(int maxRepetitions, IReadOnlyList<ObjectIdentifier> oids, CancellationToken cancellationToken)
    {
        while (true)
        {
            SnmpResponse response = await SendAsync(id => Pdu.GetBulkRequest(id, 0, maxRepetitions, oids), cancellationToken).ConfigureAwait(false);
            if (response.ErrorStatus == SnmpErrorStatus.TooBig && maxRepetitions > 1)
            {
                maxRepetitions /= 2;
                continue;
            }

            ThrowIfError(response, oids);
            return response.Varbinds;
        }
    }

    private async ValueTask<IReadOnlyList<Varbind>> GetOrNextAsync(PduType type, IReadOnlyList<ObjectIdentifier> oids, CancellationToken cancellationToken)
    {
        if (oids.Count == 0)
        {
            return [];
        }

        SnmpResponse response = await SendAsync(id => type == PduType.GetRequest ? Pdu.GetRequest(id, oids) : Pdu.GetNextRequest(id, oids), cancellationToken).ConfigureAwait(false);
        switch (response.ErrorStatus)
        {
            case SnmpErrorStatus.NoError:
                if (response.Varbinds.Count != oids.Count)
                {
                    throw new SnmpException($"{Target.EndPoint} answered {response.Varbinds.Count} varbinds to a request for {oids.Count}.");
                }

                return response.Varbinds;

            case SnmpErrorStatus.TooBig when oids.Count > 1:
                int half = oids.Count / 2;
                IReadOnlyList<Varbind> first = await GetOrNextAsync(type, [.. oids.Take(half)], cancellationToken).ConfigureAwait(false);
                IReadOnlyList<Varbind> second = await GetOrNextAsync(type, [.. oids.Skip(half)], cancellationToken).ConfigureAwait(false);
                return [.. first, .. second];

            case SnmpErrorStatus.NoSuchName or SnmpErrorStatus.GenErr when response.ErrorIndex >= 1 && response.ErrorIndex <= oids.Count
                && (Target.Credentials.Version == SnmpVersion.V1 || response.ErrorStatus == SnmpErrorStatus.NoSuchName):
                // RFC 3584 4.4: an SNMPv1 agent fails the whole request for one object it lacks.
                int missing = response.ErrorIndex - 1;
                SnmpValue exception = type == PduType.GetRequest ? SnmpValue.NoSuchObject : SnmpValue.EndOfMibView;
                var rest = new List<ObjectIdentifier>(oids.Count - 1);
                for (int i = 0; i < oids.Count; i++)
                {
                    if (i != missing)
                    {
                        rest.Add(oids[i]);
                    }
                }

                IReadOnlyList<Varbind> others = await GetOrNextAsync(type, rest, cancellationToken).ConfigureAwait(false);
                var merged = new List<Varbind>(oids.Count);
                merged.AddRange(others.Take(missing));
                merged.Add(new Varbind(oids[missing], exception));
                merged.AddRange(others.Skip(missing));
                return merged;

            default:
                ThrowIfError(response, oids);
                return response.Varbinds;
        }
    }

    private ValueTask<SnmpResponse> SendAsync(Func<int, Pdu> build, CancellationToken cancellationToken)
    {
        Requests++;
        return _client.SendAsync(Target, build, cancellationToken);
    }

    private void ThrowIfError(SnmpResponse response, IReadOnlyList<ObjectIdentifier> oids)
    {
        if (response.ErrorStatus != SnmpErrorStatus.NoError)
        {
            ObjectIdentifier? oid = response.ErrorIndex >= 1 && response.ErrorIndex <= oids.Count ? oids[response.ErrorIndex - 1] : (ObjectIdentifier?)null;
            throw new SnmpErrorStatusException(Target.EndPoint, response.ErrorStatus, response.ErrorIndex, oid);
        }
    }
}
