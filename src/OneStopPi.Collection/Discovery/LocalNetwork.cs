using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace OneStopPi.Collection.Discovery;

/// <summary>This host's side of the network, as a sweep plans with it (a fake in tests).</summary>
public interface ILocalNetwork
{
    /// <summary>The directly connected IPv4 subnets of the interfaces that are up.</summary>
    IReadOnlyList<LocalSubnet> Subnets();

    /// <summary>Every address of this host: never swept, the agent is not a device.</summary>
    IReadOnlySet<IPAddress> OwnAddresses();
}

/// <summary>The interfaces of this network namespace, read through <see cref="NetworkInterface"/> at each call.</summary>
public sealed class SystemLocalNetwork : ILocalNetwork
{
    public IReadOnlyList<LocalSubnet> Subnets()
    {
        var subnets = new List<LocalSubnet>();
        foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus is OperationalStatus.Down)
            {
                continue;
            }

            bool arp = nic.NetworkInterfaceType is not (NetworkInterfaceType.Loopback or NetworkInterfaceType.Ppp or NetworkInterfaceType.Tunnel);
            IPInterfaceProperties properties = nic.GetIPProperties();
            int index = IPv4Index(properties);
            byte[] mac = nic.GetPhysicalAddress().GetAddressBytes();
            foreach (UnicastIPAddressInformation unicast in properties.UnicastAddresses)
            {
                if (unicast.Address.AddressFamily == AddressFamily.InterNetwork && unicast.PrefixLength is >= 1 and <= 32)
                {
                    subnets.Add(LocalSubnet.Of(nic.Name, unicast.Address, unicast.PrefixLength, arp, index, mac));
                }
            }
        }

        return subnets;
    }

    public IReadOnlySet<IPAddress> OwnAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .ToHashSet();

    private static int IPv4Index(IPInterfaceProperties properties)
    {
        try
        {
            return properties.GetIPv4Properties()?.Index ?? 0;
        }
        catch (NetworkInformationException)
        {
            return 0; // no IPv4 on this interface: nothing to sweep there anyway
        }
    }
}
