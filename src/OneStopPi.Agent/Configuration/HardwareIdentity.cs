using System.Net.NetworkInformation;

namespace OneStopPi.Agent.Configuration;

/// <summary>What the box says about itself at enrolment.</summary>
public sealed record HardwareIdentity(string HardwareId, string? Mac, string Hostname)
{
    /// <summary>
    /// The Raspberry Pi's serial number (device tree, else /proc/cpuinfo), else systemd's
    /// /etc/machine-id: stable across re-imaging for the former, across reboots for both.
    /// </summary>
    public static HardwareIdentity Detect(string? overrideId = null)
    {
        string id = overrideId
            ?? ReadTrimmed("/sys/firmware/devicetree/base/serial-number")
            ?? CpuInfoSerial()
            ?? ReadTrimmed("/etc/machine-id")
            ?? Environment.MachineName;
        return new HardwareIdentity(id, PrimaryMac(), Environment.MachineName);
    }

    /// <summary>The MAC of the first interface that is up and not loopback, as aa:bb:cc:dd:ee:ff.</summary>
    public static string? PrimaryMac()
    {
        foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.NetworkInterfaceType == NetworkInterfaceType.Loopback || nic.OperationalStatus != OperationalStatus.Up)
            {
                continue;
            }

            byte[] mac = nic.GetPhysicalAddress().GetAddressBytes();
            if (mac.Length == 6 && mac.AsSpan().ContainsAnyExcept((byte)0))
            {
                return string.Join(':', mac.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        return null;
    }

    private static string? CpuInfoSerial()
    {
        string? text = ReadTrimmed("/proc/cpuinfo");
        string? line = text?.Split('\n').FirstOrDefault(l => l.StartsWith("Serial", StringComparison.Ordinal));
        string? serial = line?.Split(':', 2).ElementAtOrDefault(1)?.Trim();
        return string.IsNullOrEmpty(serial) || serial.Trim('0').Length == 0 ? null : serial;
    }

    private static string? ReadTrimmed(string path)
    {
        try
        {
            string value = File.ReadAllText(path).Trim('\0', ' ', '\n', '\r', '\t');
            return value.Length == 0 ? null : value;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
