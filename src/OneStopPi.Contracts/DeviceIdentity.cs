namespace OneStopPi.Contracts;

/// <summary>
/// One printer's identity, the same in the agent's registry and the portal's device table: vendor + serial
/// first, then MAC, then (neither known) the address. Serials and vendors compare without case or outer
/// blanks (a serial read as "cnb1234" on one firmware and "CNB1234" on another is one device); MACs in lower case,
/// the all-zero MAC some devices report counts as none.
/// </summary>
public static class DeviceIdentity
{
    private const string NoMac = "00:00:00:00:00:00";

    /// <summary><c>serial:VENDOR:SERIAL</c>, else <c>mac:aa:bb:..</c>, else <c>ip:ADDRESS</c>.</summary>
    public static string Key(string? vendor, string? serial, string? mac, string ip) =>
        SerialKey(vendor, serial) is { } bySerial ? $"serial:{bySerial}"
        : MacKey(mac) is { } byMac ? $"mac:{byMac}"
        : $"ip:{ip}";

    /// <summary><c>VENDOR:SERIAL</c> (vendor "?" when unknown), or null when no serial is known.</summary>
    public static string? SerialKey(string? vendor, string? serial) =>
        string.IsNullOrWhiteSpace(serial)
            ? null
            : $"{(string.IsNullOrWhiteSpace(vendor) ? "?" : vendor.Trim().ToUpperInvariant())}:{serial.Trim().ToUpperInvariant()}";

    /// <summary>The MAC in lower case, or null when none (or the all-zero one) is known.</summary>
    public static string? MacKey(string? mac)
    {
        if (string.IsNullOrWhiteSpace(mac))
        {
            return null;
        }

        string key = mac.Trim().ToLowerInvariant();
        return key == NoMac ? null : key;
    }
}
