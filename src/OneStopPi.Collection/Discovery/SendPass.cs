using System.Net;

namespace OneStopPi.Collection.Discovery;

/// <summary>
/// The send pass: an ICMP echo and the SNMP liveness datagram to each address, each address recorded in the probe
/// log before its datagrams go (an answer may come at once); on-link addresses first admitted by the neighbour pacer.
/// </summary>
internal sealed class SendPass(ILivenessWire wire, ProbeLog probes, NeighbourPacer? pacer, DiscoveryProgress progress, TimeProvider time)
{
    /// <summary>Probes every address through the kernel, in order (the plan's kernel path).</summary>
    public async Task ProbeAllAsync(IEnumerable<(IPAddress Address, bool OnLink)> addresses, CancellationToken cancellationToken)
    {
        foreach ((IPAddress address, bool onLink) in addresses)
        {
            await ProbeAsync(address, onLink, afterArp: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <param name="afterArp">It answered our ARP request first (counted as probed at that request).</param>
    public async ValueTask ProbeAsync(IPAddress address, bool onLink, bool afterArp, CancellationToken cancellationToken)
    {
        if (onLink && pacer is not null)
        {
            await pacer.AdmitAsync(address, cancellationToken).ConfigureAwait(false); // a live host's entry counts too
        }

        ProbeRecord record = probes.Add(address, onLink, afterArp, time.GetTimestamp());
        await wire.SendEchoAsync(address, cancellationToken).ConfigureAwait(false);
        await wire.SendSnmpAsync(address, cancellationToken).ConfigureAwait(false);
        record.LastSent = time.GetTimestamp();
        if (!afterArp)
        {
            progress.Sent();
        }
    }
}
