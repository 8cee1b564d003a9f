using System.Net;

namespace OneStopPi.Collection.Discovery;

/// <summary>
/// The retry pass: one timeout after each address's first send (two after it for a second retry...), again what is
/// still unanswered, in send order. Not an on-link address whose neighbour never resolved (the kernel asked ARP three
/// times: nobody is there), and not the SNMP datagram of an address whose port answered port-unreachable.
/// </summary>
internal sealed class RetryPass(ILivenessWire wire, NeighbourSnapshot neighbours, TimeProvider time)
{
    public async Task RunAsync(IReadOnlyList<ProbeRecord> sent, TimeSpan timeout, int retries, CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < retries; attempt++)
        {
            foreach (ProbeRecord probe in sent)
            {
                IPAddress address = probe.Address;
                if (wire.Settled(address))
                {
                    continue;
                }

                TimeSpan wait = timeout * (attempt + 1) - time.GetElapsedTime(probe.FirstSent);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                }

                if (probe.OnLink && !probe.AfterArp && !neighbours.IsResolved(address))
                {
                    continue;
                }

                bool again = false;
                if (!wire.EchoSettled(address))
                {
                    await wire.SendEchoAsync(address, cancellationToken).ConfigureAwait(false);
                    again = true;
                }

                if (!wire.SnmpSettled(address))
                {
                    await wire.SendSnmpAsync(address, cancellationToken).ConfigureAwait(false);
                    again = true;
                }

                if (again)
                {
                    probe.LastSent = time.GetTimestamp();
                }
            }
        }
    }
}
