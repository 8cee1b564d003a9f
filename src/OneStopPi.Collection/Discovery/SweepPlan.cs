using System.Net;
using System.Net.Sockets;

namespace OneStopPi.Collection.Discovery;

/// <summary>
/// The plan pass: which way each address goes, decided in one pass over the ranges. IPv6 hosts straight to
/// identification; on-link IPv4 addresses of an Ethernet subnet to an ARP sweep of that subnet (when enabled);
/// everything else through the kernel, in range order. This host's own addresses are left out.
/// </summary>
internal sealed class SweepPlan
{
    private SweepPlan()
    {
    }

    /// <summary>Addresses identified without a liveness probe (IPv6 hosts are few and named one by one).</summary>
    public List<IPAddress> Direct { get; } = [];

    /// <summary>On-link addresses to sweep with our own ARP requests, per subnet.</summary>
    public Dictionary<LocalSubnet, List<IPAddress>> ArpTargets { get; } = [];

    /// <summary>
    /// Addresses probed through the kernel, and whether each is on-link (then it needs a neighbour entry and is
    /// paced). The send pass appends a subnet's targets here when its ARP sweep cannot be opened.
    /// </summary>
    public List<(IPAddress Address, bool OnLink)> ThroughKernel { get; } = [];

    /// <summary>The interface of the first on-link address that needs a neighbour entry, if any (the pacer's).</summary>
    public string? OnLinkDevice { get; private set; }

    public static SweepPlan Of(TargetRangeSet ranges, IReadOnlyList<LocalSubnet> subnets, IReadOnlySet<IPAddress> own, bool arp)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var plan = new SweepPlan();
        foreach (IPAddress address in ranges.Addresses())
        {
            if (own.Contains(address))
            {
                continue; // this agent itself is not a device
            }

            if (address.AddressFamily != AddressFamily.InterNetwork)
            {
                plan.Direct.Add(address);
                continue;
            }

            if (LocalSubnet.Find(subnets, address) is not { NeedsNeighbour: true } subnet)
            {
                plan.ThroughKernel.Add((address, false));
                continue;
            }

            plan.OnLinkDevice ??= subnet.Device;
            if (arp && subnet.ArpLink is not null)
            {
                if (!plan.ArpTargets.TryGetValue(subnet, out List<IPAddress>? targets))
                {
                    plan.ArpTargets[subnet] = targets = [];
                }

                targets.Add(address);
            }
            else
            {
                plan.ThroughKernel.Add((address, true));
            }
        }

        return plan;
    }
}
