using System.Globalization;
using System.Text;

namespace OneStopPi.Snmp.Text;

/// <summary>
/// Formats varbinds the way net-snmp's <c>snmpwalk -On</c> prints them without MIBs loaded, so our
/// output can be compared with net-snmp's on the same device. One difference is kept on purpose:
/// net-snmp wraps Hex-STRING after 16 octets and ends it with a space; we print one line with no
/// trailing space (one line per varbind).
/// </summary>
public static class NetSnmpFormat
{
    /// <summary><c>.1.3.6.1.2.1.1.1.0 = STRING: "text"</c></summary>
    public static string FormatVarbind(Varbind varbind) => $"{varbind.Oid.ToString("N", null)} = {FormatValue(varbind.Value)}";

    public static string FormatValue(SnmpValue value) => value.Type switch
    {
        SnmpValueType.Integer32 => value.TryGetInt64(out long n) ? $"INTEGER: {n.ToString(CultureInfo.InvariantCulture)}" : "INTEGER: ?",
        SnmpValueType.OctetString => FormatOctetString(value.Bytes),
        SnmpValueType.Null => "NULL",
        SnmpValueType.ObjectIdentifier => $"OID: {value.AsObjectIdentifier().ToString("N", null)}",
        SnmpValueType.IpAddress => $"IpAddress: {value.AsIPAddress()}",
        SnmpValueType.Counter32 => $"Counter32: {value.AsUInt64().ToString(CultureInfo.InvariantCulture)}",
        SnmpValueType.Gauge32 => $"Gauge32: {value.AsUInt64().ToString(CultureInfo.InvariantCulture)}",
        SnmpValueType.TimeTicks => FormatTimeTicks((uint)value.AsUInt64()),
        SnmpValueType.Opaque => value.Bytes.IsEmpty ? "OPAQUE: " : $"OPAQUE: {Hex(value.Bytes)}",
        SnmpValueType.Counter64 => $"Counter64: {value.AsUInt64().ToString(CultureInfo.InvariantCulture)}",
        SnmpValueType.NoSuchObject => "No Such Object available on this agent at this OID",
        SnmpValueType.NoSuchInstance => "No Such Instance currently exists at this OID",
        SnmpValueType.EndOfMibView => "No more variables left in this MIB View (It is past the end of the MIB tree)",
        _ => $"Unknown type 0x{(byte)value.Type:X2}",
    };

    /// <summary>
    /// net-snmp prints an octet string as text when every octet is printable ASCII or white space
    /// (C <c>isprint</c>/<c>isspace</c>), else as hex; an empty one as <c>""</c> with no type.
    /// Inside the quotes it escapes <c>"</c> and <c>\</c>.
    /// </summary>
    public static string FormatOctetString(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return "\"\"";
        }

        foreach (byte b in bytes)
        {
            if (!(b is >= 0x20 and < 0x7F || b is (byte)'\t' or (byte)'\n' or 0x0B or 0x0C or (byte)'\r'))
            {
                return $"Hex-STRING: {Hex(bytes)}";
            }
        }

        var text = new StringBuilder(bytes.Length + 10);
        text.Append("STRING: \"");
        foreach (byte b in bytes)
        {
            if (b is (byte)'"' or (byte)'\\')
            {
                text.Append('\\');
            }

            text.Append((char)b);
        }

        return text.Append('"').ToString();
    }

    /// <summary><c>Timeticks: (8640123) 1 day, 0:00:01.23</c></summary>
    public static string FormatTimeTicks(uint ticks)
    {
        uint centis = ticks % 100, seconds = ticks / 100 % 60, minutes = ticks / 6000 % 60, hours = ticks / 360000 % 24, days = ticks / 8640000;
        string dayPart = days switch { 0 => "", 1 => "1 day, ", _ => $"{days} days, " };
        return string.Create(CultureInfo.InvariantCulture, $"Timeticks: ({ticks}) {dayPart}{hours}:{minutes:00}:{seconds:00}.{centis:00}");
    }

    /// <summary>Upper-case octets separated by single spaces.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return string.Empty;
        }

        return string.Create(bytes.Length * 3 - 1, bytes.ToArray(), static (chars, octets) =>
        {
            for (int i = 0; i < octets.Length; i++)
            {
                if (i > 0)
                {
                    chars[i * 3 - 1] = ' ';
                }

                octets[i].TryFormat(chars[(i * 3)..], out _, "X2", CultureInfo.InvariantCulture);
            }
        });
    }
}
