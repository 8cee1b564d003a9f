using OneStopPi.Snmp;

namespace OneStopPi.Collection.Mib;

/// <summary>The standard objects a printer reading uses (SNMPv2-MIB, IF-MIB, IP-MIB, HOST-RESOURCES-MIB, Printer-MIB, ENTITY-MIB).</summary>
internal static class StandardOids
{
    // SNMPv2-MIB (RFC 3418)
    public static readonly ObjectIdentifier SysDescr = "1.3.6.1.2.1.1.1.0";
    public static readonly ObjectIdentifier SysObjectId = "1.3.6.1.2.1.1.2.0";
    public static readonly ObjectIdentifier SysUpTime = "1.3.6.1.2.1.1.3.0";
    public static readonly ObjectIdentifier SysName = "1.3.6.1.2.1.1.5.0";

    // IF-MIB (RFC 2863) ifTable columns
    public static readonly ObjectIdentifier IfType = "1.3.6.1.2.1.2.2.1.3";
    public static readonly ObjectIdentifier IfPhysAddress = "1.3.6.1.2.1.2.2.1.6";

    // IP-MIB (RFC 1213 ipAddrTable): ipAdEntIfIndex, indexed by the address itself
    public static readonly ObjectIdentifier IpAdEntIfIndex = "1.3.6.1.2.1.4.20.1.2";

    /// <summary>ipAdEntIfIndex of <paramref name="address"/> (as IPv4): the interface that carries it.</summary>
    public static ObjectIdentifier IpAdEntIfIndexOf(System.Net.IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.MapToIPv4().TryWriteBytes(bytes, out _);
        return IpAdEntIfIndex.Append(bytes[0], bytes[1], bytes[2], bytes[3]);
    }

    // HOST-RESOURCES-MIB (RFC 2790)
    public static readonly ObjectIdentifier HrDeviceType = "1.3.6.1.2.1.25.3.2.1.2";
    public static readonly ObjectIdentifier HrDeviceDescr = "1.3.6.1.2.1.25.3.2.1.3";
    public static readonly ObjectIdentifier HrDeviceStatus = "1.3.6.1.2.1.25.3.2.1.5";
    public static readonly ObjectIdentifier HrDevicePrinter = "1.3.6.1.2.1.25.3.1.5";
    public static readonly ObjectIdentifier HrPrinterStatus = "1.3.6.1.2.1.25.3.5.1.1";
    public static readonly ObjectIdentifier HrPrinterDetectedErrorState = "1.3.6.1.2.1.25.3.5.1.2";

    // Printer-MIB (RFC 3805); prtGeneralTable is indexed by hrDeviceIndex
    public static readonly ObjectIdentifier PrtGeneralSerialNumber = "1.3.6.1.2.1.43.5.1.1.17";
    public static readonly ObjectIdentifier PrtLocalizationCharacterSet = "1.3.6.1.2.1.43.7.1.1.4";
    public static readonly ObjectIdentifier PrtMarkerCounterUnit = "1.3.6.1.2.1.43.10.2.1.3";
    public static readonly ObjectIdentifier PrtMarkerLifeCount = "1.3.6.1.2.1.43.10.2.1.4";
    public static readonly ObjectIdentifier PrtMarkerPowerOnCount = "1.3.6.1.2.1.43.10.2.1.5";
    public static readonly ObjectIdentifier PrtMarkerSuppliesColorantIndex = "1.3.6.1.2.1.43.11.1.1.3";
    public static readonly ObjectIdentifier PrtMarkerSuppliesClass = "1.3.6.1.2.1.43.11.1.1.4";
    public static readonly ObjectIdentifier PrtMarkerSuppliesType = "1.3.6.1.2.1.43.11.1.1.5";
    public static readonly ObjectIdentifier PrtMarkerSuppliesDescription = "1.3.6.1.2.1.43.11.1.1.6";
    public static readonly ObjectIdentifier PrtMarkerSuppliesSupplyUnit = "1.3.6.1.2.1.43.11.1.1.7";
    public static readonly ObjectIdentifier PrtMarkerSuppliesMaxCapacity = "1.3.6.1.2.1.43.11.1.1.8";
    public static readonly ObjectIdentifier PrtMarkerSuppliesLevel = "1.3.6.1.2.1.43.11.1.1.9";
    public static readonly ObjectIdentifier PrtMarkerColorantValue = "1.3.6.1.2.1.43.12.1.1.4";
    public static readonly ObjectIdentifier PrtAlertSeverityLevel = "1.3.6.1.2.1.43.18.1.1.2";
    public static readonly ObjectIdentifier PrtAlertGroup = "1.3.6.1.2.1.43.18.1.1.4";
    public static readonly ObjectIdentifier PrtAlertGroupIndex = "1.3.6.1.2.1.43.18.1.1.5";
    public static readonly ObjectIdentifier PrtAlertLocation = "1.3.6.1.2.1.43.18.1.1.6";
    public static readonly ObjectIdentifier PrtAlertCode = "1.3.6.1.2.1.43.18.1.1.7";
    public static readonly ObjectIdentifier PrtAlertDescription = "1.3.6.1.2.1.43.18.1.1.8";

    // ENTITY-MIB (RFC 6933) entPhysicalTable, first entry
    public static readonly ObjectIdentifier EntPhysicalFirmwareRev1 = "1.3.6.1.2.1.47.1.1.1.1.9.1";
    public static readonly ObjectIdentifier EntPhysicalSoftwareRev1 = "1.3.6.1.2.1.47.1.1.1.1.10.1";
    public static readonly ObjectIdentifier EntPhysicalSerialNum1 = "1.3.6.1.2.1.47.1.1.1.1.11.1";
    public static readonly ObjectIdentifier EntPhysicalModelName1 = "1.3.6.1.2.1.47.1.1.1.1.13.1";
}
