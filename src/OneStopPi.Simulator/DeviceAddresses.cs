using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace OneStopPi.Simulator;

/// <summary>
/// Where each simulated device listens: device i on the IPv4 address <c>first + i</c>, counting the address
/// as one 32-bit number, so 127.0.0.255 is followed by 127.0.1.0 (the carry goes into the next octet;
/// every address of 127.0.0.0/8 is local on Linux, .0 and .255 included, as with snmpsim's fleet script).
/// </summary>
public static class DeviceAddresses
{
    /// <summary>The address of device <paramref name="index"/>.</summary>
    public static IPAddress At(IPAddress first, int index)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (first.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("Device addresses are IPv4.", nameof(first));
        }

        Span<byte> bytes = stackalloc byte[4];
        first.TryWriteBytes(bytes, out _);
        ulong value = (ulong)BinaryPrimitives.ReadUInt32BigEndian(bytes) + (uint)index;
        if (value > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(index), "The device address would pass 255.255.255.255.");
        }

        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)value);
        return new IPAddress(bytes);
    }

    /// <summary>
    /// Checks that <paramref name="count"/> devices starting at <paramref name="first"/> fit: IPv4, and all in
    /// 127.0.0.0/8 when there is more than one (other ranges would need the addresses configured on an interface).
    /// Returns null when they fit, else the reason.
    /// </summary>
    public static string? Validate(IPAddress first, int count)
    {
        ArgumentNullException.ThrowIfNull(first);
        if (first.AddressFamily != AddressFamily.InterNetwork)
        {
            return $"{first} is not an IPv4 address";
        }

        if (count < 1)
        {
            return "the device count must be at least 1";
        }

        Span<byte> bytes = stackalloc byte[4];
        first.TryWriteBytes(bytes, out _);
        ulong last = (ulong)BinaryPrimitives.ReadUInt32BigEndian(bytes) + (uint)(count - 1);
        if (count > 1 && (bytes[0] != 127 || last > 0x7FFF_FFFF))
        {
            return $"{count} devices need {count} addresses in 127.0.0.0/8 from {first} on";
        }

        return last > uint.MaxValue ? "the addresses would pass 255.255.255.255" : null;
    }
}
