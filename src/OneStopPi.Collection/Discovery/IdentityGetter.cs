using System.Net;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Collection.Discovery;

/// <summary>The identifying GET as the identify pass needs it: <see cref="SnmpClient"/>; a fake in tests.</summary>
internal interface IIdentityGetter
{
    ValueTask<IReadOnlyList<Varbind>> GetAsync(SnmpTarget target, IReadOnlyList<ObjectIdentifier> oids, CancellationToken cancellationToken);

    /// <summary>An SNMPv3 engine at <paramref name="endPoint"/> answered engine discovery.</summary>
    bool HasDiscoveredEngine(IPEndPoint endPoint);
}

internal sealed class SnmpClientIdentityGetter(SnmpClient client) : IIdentityGetter
{
    public ValueTask<IReadOnlyList<Varbind>> GetAsync(SnmpTarget target, IReadOnlyList<ObjectIdentifier> oids, CancellationToken cancellationToken) =>
        client.GetAsync(target, oids, cancellationToken);

    public bool HasDiscoveredEngine(IPEndPoint endPoint) => client.HasDiscoveredEngine(endPoint);
}
