using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using OneStopPi.Agent.Configuration;

namespace OneStopPi.Agent.Lan;

/// <summary>One IPv4 interface of the box: what the page shows and discovery/mDNS answer with.</summary>
public sealed record LanInterface(string Name, int Index, string? Mac, IPAddress Address, int PrefixLength)
{
    /// <summary>The directed broadcast address of the interface's subnet.</summary>
    public IPAddress Broadcast
    {
        get
        {
            uint address = (uint)IPAddress.NetworkToHostOrder(BitConverter.ToInt32(Address.GetAddressBytes()));
            uint mask = PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);
            return new IPAddress(BitConverter.GetBytes(IPAddress.HostToNetworkOrder((int)(address | ~mask))));
        }
    }

    /// <summary>The up, non-loopback interfaces with an IPv4 address (all of them, loopback too, when <paramref name="includeLoopback"/>).</summary>
    public static IReadOnlyList<LanInterface> Enumerate(bool includeLoopback = false)
    {
        var result = new List<LanInterface>();
        foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            bool loopback = nic.NetworkInterfaceType == NetworkInterfaceType.Loopback;
            if ((loopback && !includeLoopback) || nic.OperationalStatus is not (OperationalStatus.Up or OperationalStatus.Unknown))
            {
                continue;
            }

            IPInterfaceProperties properties = nic.GetIPProperties();
            int index = properties.GetIPv4Properties()?.Index ?? -1;
            string? mac = FormatMac(nic.GetPhysicalAddress().GetAddressBytes());
            foreach (UnicastIPAddressInformation unicast in properties.UnicastAddresses)
            {
                if (unicast.Address.AddressFamily == AddressFamily.InterNetwork)
                {
                    result.Add(new LanInterface(nic.Name, index, mac, unicast.Address, unicast.PrefixLength));
                }
            }
        }

        return result;
    }

    public static string? FormatMac(ReadOnlySpan<byte> mac) =>
        mac.Length == 6 && mac.ContainsAnyExcept((byte)0)
            ? string.Join(':', mac.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)))
            : null;
}

/// <summary>
/// How the box names itself on the LAN: <c>onestop-XXXX</c>, XXXX the last two bytes of its
/// primary MAC in hex (what a label next to the MAC shows), else of a hash of its hardware ID.
/// </summary>
public sealed record LanIdentity(string InstanceName, string HardwareId, string? Mac)
{
    public static LanIdentity From(HardwareIdentity hardware)
    {
        string suffix;
        if (hardware.Mac is { Length: 17 } mac)
        {
            suffix = string.Concat(mac.AsSpan(12, 2), mac.AsSpan(15, 2)).ToLowerInvariant();
        }
        else
        {
            byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(hardware.HardwareId));
            suffix = Convert.ToHexStringLower(hash.AsSpan(0, 2));
        }

        return new LanIdentity($"onestop-{suffix}", hardware.HardwareId, hardware.Mac);
    }

    /// <summary>The mDNS host name, <c>onestop-XXXX.local</c>.</summary>
    public string HostName => InstanceName + ".local";
}

/// <summary>
/// The name the box goes by on the link right now: <see cref="LanIdentity.InstanceName"/>, or
/// onestop-XXXX-N once mDNS probing found that taken (RFC 6762 §9). Read by /status and discovery.
/// </summary>
public sealed class LanName
{
    private string _instance;

    public LanName(LanIdentity identity) => _instance = identity.InstanceName;

    public string Instance => Volatile.Read(ref _instance);

    public string HostName => Instance + ".local";

    public void Rename(string instance) => Volatile.Write(ref _instance, instance);
}
