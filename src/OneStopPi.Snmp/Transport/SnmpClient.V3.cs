using System.Net;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Security;

namespace OneStopPi.Snmp.Transport;

/// <summary>SNMPv3: engine discovery, time synchronisation and Report handling (RFC 3414 4, 3.2; RFC 3412 7.2).</summary>
public sealed partial class SnmpClient
{
    private async Task<IncomingMessage> ExchangeV3Async(SnmpTarget target, UsmCredentials user, Func<int, Pdu> buildPdu,
        TimeSpan timeout, int retries, CancellationToken cancellationToken)
    {
        RemoteEngine engine = await GetEngineAsync(target.EndPoint, timeout, retries, cancellationToken).ConfigureAwait(false);
        bool rediscovered = false;
        bool resynchronised = false;
        while (true)
        {
            UsmLocalizedKeys? keys = _keys.Get(user, engine.EngineId);
            RemoteEngine current = engine;
            IncomingMessage answer = await ExchangeAsync(target.EndPoint, SnmpVersion.V3, new V3Expectation(user, keys, current),
                id => _usm.EncodeRequest(id, _options.MaxMessageSize, user, keys, current, CheckedRequest(buildPdu(id))),
                timeout, retries, target.RoundTrip, cancellationToken).ConfigureAwait(false);
            if (answer.Pdu.Type != PduType.Report)
            {
                return answer;
            }

            ObjectIdentifier reportOid = answer.Pdu.Varbinds.Count > 0 ? answer.Pdu.Varbinds[0].Oid : default;
            SnmpReportKind kind = SnmpReportOids.Classify(reportOid);
            Messages.UsmSecurityParameters usm = answer.Usm!;
            if (kind == SnmpReportKind.UnknownEngineId && !rediscovered && !usm.EngineId.IsEmpty)
            {
                // The agent restarted with another engine ID, or our cache is stale (RFC 3414 4).
                rediscovered = true;
                engine = new RemoteEngine(usm.EngineId.ToArray(), usm.EngineBoots, usm.EngineTime, _time);
                _engines[target.EndPoint] = Task.FromResult(engine);
                continue;
            }

            if (kind == SnmpReportKind.NotInTimeWindow && !resynchronised && usm.EngineId.Span.SequenceEqual(engine.EngineId))
            {
                // RFC 3414 3.2 step 7b / 4: take the agent's clock from the report and try once more.
                resynchronised = true;
                engine.Synchronise(usm.EngineBoots, usm.EngineTime);
                continue;
            }

            throw new SnmpReportException(target.EndPoint, kind, reportOid);
        }
    }

    /// <summary>
    /// True when an SNMPv3 engine at <paramref name="target"/> answered discovery (RFC 3414 4), even if it
    /// then refused or ignored our user: proof that an SNMP agent lives there.
    /// </summary>
    public bool HasDiscoveredEngine(IPEndPoint target) =>
        _engines.TryGetValue(target, out Task<RemoteEngine>? engine) && engine.IsCompletedSuccessfully;

    /// <summary>The agent's engine, discovered once per address and shared by concurrent requests.</summary>
    private async Task<RemoteEngine> GetEngineAsync(IPEndPoint target, TimeSpan timeout, int retries, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<RemoteEngine> discovery = _engines.GetOrAdd(target, t => DiscoverEngineAsync(t, timeout, retries));
            try
            {
                return await discovery.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (discovery.IsFaulted || discovery.IsCanceled)
            {
                // Do not cache a failure: the next request tries discovery again.
                _engines.TryRemove(new KeyValuePair<IPEndPoint, Task<RemoteEngine>>(target, discovery));
                await discovery.ConfigureAwait(false);
            }
        }
    }

    private async Task<RemoteEngine> DiscoverEngineAsync(IPEndPoint target, TimeSpan timeout, int retries)
    {
        IncomingMessage answer = await ExchangeAsync(target, SnmpVersion.V3, null,
            id => UsmMessageProcessor.EncodeDiscovery(id, _options.MaxMessageSize), timeout, retries, null, _shutdown.Token).ConfigureAwait(false);
        Messages.UsmSecurityParameters usm = answer.Usm!;
        if (usm.EngineId.IsEmpty)
        {
            throw new SnmpException($"{target} answered engine discovery without an engine ID.");
        }

        return new RemoteEngine(usm.EngineId.ToArray(), usm.EngineBoots, usm.EngineTime, _time);
    }
}
