using System.Text.RegularExpressions;
using OneStopPi.Collection.Decoding;
using OneStopPi.Collection.Mib;
using OneStopPi.Snmp;

namespace OneStopPi.Collection.Discovery;

/// <summary>What the one identifying GET of a live address read, for classification.</summary>
public sealed record ProbeAnswers(string? SysDescr, ObjectIdentifier? SysObjectId, bool PrinterMib, string? Model, string? Serial)
{
    /// <summary>sysDescr, sysObjectID, hrDeviceDescr.1, prtGeneralSerialNumber.1, entPhysicalSerialNum.1 and Printer-MIB markers.</summary>
    internal static readonly ObjectIdentifier[] Oids =
    [
        StandardOids.SysDescr,
        StandardOids.SysObjectId,
        "1.3.6.1.2.1.25.3.2.1.3.1",    // hrDeviceDescr.1: model
        "1.3.6.1.2.1.43.5.1.1.17.1",   // prtGeneralSerialNumber.1: serial, Printer-MIB
        "1.3.6.1.2.1.47.1.1.1.1.11.1", // entPhysicalSerialNum.1: serial
        "1.3.6.1.2.1.43.10.2.1.4.1.1", // prtMarkerLifeCount.1.1: Printer-MIB
        "1.3.6.1.2.1.43.7.1.1.4.1.1",  // prtLocalizationCharacterSet.1.1: Printer-MIB
        "1.3.6.1.2.1.43.11.1.1.9.1.1", // prtMarkerSuppliesLevel.1.1: Printer-MIB
        "1.3.6.1.2.1.25.3.5.1.1.1",    // hrPrinterStatus.1: HOST-RESOURCES printer
    ];

    private static readonly ObjectIdentifier PrinterMibRoot = "1.3.6.1.2.1.43";
    private static readonly ObjectIdentifier HrPrinterStatus = "1.3.6.1.2.1.25.3.5.1.1";

    // Run by Regex's interpreter, not [GeneratedRegex]: the interpreter is in the binary anyway for the vendor
    // profiles' patterns, and each generated matcher added its own code to the AOT image (the 19 together: 78 KiB;
    // docs/benchmarks.md "Third pass"). Same patterns, same matches; a few microseconds per description.
    /// <summary>JetDirect and others put the serial in sysDescr: "...,SN:VNCRC48198,...".</summary>
    private static readonly Regex SerialInDescr = new(@"\bSN:\s*([A-Za-z0-9]+)", RegexOptions.CultureInvariant);

    /// <summary>The probe's varbinds as identity facts.</summary>
    internal static ProbeAnswers Read(IReadOnlyList<Varbind> varbinds)
    {
        string? descr = null, model = null, serial = null, entSerial = null;
        ObjectIdentifier? sysObjectId = null;
        bool printerMib = false;
        foreach (Varbind varbind in varbinds)
        {
            if (varbind.Value.IsException || varbind.Value.Type == SnmpValueType.Null)
            {
                continue;
            }

            if (varbind.Oid.StartsWith(PrinterMibRoot) || varbind.Oid.StartsWith(HrPrinterStatus))
            {
                printerMib = true;
            }

            string? text = varbind.Value.Type == SnmpValueType.OctetString ? TextDecoder.Clean(varbind.Value.Bytes) : null;
            if (varbind.Oid == StandardOids.SysDescr)
            {
                descr = text;
            }
            else if (varbind.Oid == StandardOids.SysObjectId && varbind.Value.Type == SnmpValueType.ObjectIdentifier)
            {
                sysObjectId = varbind.Value.AsObjectIdentifier();
            }
            else if (varbind.Oid == Oids[2])
            {
                model = text;
            }
            else if (varbind.Oid == Oids[3])
            {
                serial = IdentityText.Serial(text);
            }
            else if (varbind.Oid == Oids[4])
            {
                entSerial = IdentityText.Serial(text);
            }
        }

        serial ??= entSerial ?? (descr is null ? null : IdentityText.Serial(SerialInDescr.Match(descr) is { Success: true } m ? m.Groups[1].Value : null));
        return new ProbeAnswers(descr, sysObjectId, printerMib, model, serial);
    }
}
