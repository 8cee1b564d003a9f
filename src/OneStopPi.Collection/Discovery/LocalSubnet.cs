using System.Net;
using System.Net.Sockets;

namespace OneStopPi.Collection.Discovery;

/// <summary>One directly connected IPv4 subnet of this host.</summary>
/// <param name="NeedsNeighbour">Its hosts are reached through the neighbour table (not loopback, PPP or a tunnel).</param>
public sealed record LocalSubnet(string Device, uint Network, uint Mask, bool NeedsNeighbour, int InterfaceIndex, byte[] Mac, IPAddress Local)
{
    /// <summary>What an ARP sweep of this subnet needs, or null when it has no neighbours to ask (loopback, PPP, tunnels) or no MAC.</summary>
    public ArpLink? ArpLink => NeedsNeighbour && Mac.Length == 6 && InterfaceIndex > 0 ? new ArpLink(Device, InterfaceIndex, Mac, Local) : null;

    /// <summary>The subnet of <paramref name="local"/>/<paramref name="prefixLength"/> on <paramref name="device"/>.</summary>
    public static LocalSubnet Of(string device, IPAddress local, int prefixLength, bool needsNeighbour, int interfaceIndex, byte[] mac)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentOutOfRangeException.ThrowIfLessThan(prefixLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, 32);
        uint mask = uint.MaxValue << (32 - prefixLength);
        return new LocalSubnet(device, TargetRange.ToUInt32(local) & mask, mask, needsNeighbour, interfaceIndex, mac, local);
    }

    /// <summary>The most specific subnet <paramref name="address"/> is on, or null when it is routed (or not IPv4).</summary>
    public static LocalSubnet? Find(IReadOnlyList<LocalSubnet> subnets, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(subnets);
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return null;
        }

        uint value = TargetRange.ToUInt32(address);
        LocalSubnet? best = null;
        foreach (LocalSubnet subnet in subnets)
        {
            if ((value & subnet.Mask) == subnet.Network && (best is null || subnet.Mask > best.Mask))
            {
                best = subnet;
            }
        }

        return best;
    }
}
