using System.Globalization;
using System.Net;

namespace OneStopPi.Snmp.Text;

/// <summary>
/// snmpsim's snmprec records: <c>OID|TAG|VALUE</c>, TAG the BER type number in decimal with an
/// <c>x</c> suffix for hex values. A string is written plain only when snmpsim would read it
/// back unchanged: printable ASCII, no leading or trailing space (snmpsim strips lines), no '|'.
/// </summary>
public static class SnmprecFormat
{
    public static string FormatRecord(Varbind varbind)
    {
        string oid = varbind.Oid.ToString();
        SnmpValue value = varbind.Value;
        return value.Type switch
        {
            SnmpValueType.Integer32 => value.TryGetInt64(out long n) ? $"{oid}|2|{n.ToString(CultureInfo.InvariantCulture)}" : $"{oid}|2|0",
            SnmpValueType.OctetString => IsPlain(value.Bytes) ? $"{oid}|4|{System.Text.Encoding.ASCII.GetString(value.Bytes)}" : $"{oid}|4x|{Convert.ToHexStringLower(value.Bytes)}",
            SnmpValueType.Null => $"{oid}|5|",
            SnmpValueType.ObjectIdentifier => $"{oid}|6|{value.AsObjectIdentifier()}",
            SnmpValueType.IpAddress => $"{oid}|64|{value.AsIPAddress()}",
            SnmpValueType.Opaque => $"{oid}|68x|{Convert.ToHexStringLower(value.Bytes)}",
            SnmpValueType.Counter32 or SnmpValueType.Gauge32 or SnmpValueType.TimeTicks or SnmpValueType.Counter64 =>
                $"{oid}|{(int)value.Type - 0x40 + 64}|{value.AsUInt64().ToString(CultureInfo.InvariantCulture)}",
            _ => $"{oid}|{(int)value.Type - 0x80 + 128}|",
        };
    }

    private static bool IsPlain(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return true;
        }

        if (bytes[0] == (byte)' ' || bytes[^1] == (byte)' ')
        {
            return false;
        }

        foreach (byte b in bytes)
        {
            if (b is < 0x20 or >= 0x7F or (byte)'|')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses one record; false for comments, blank lines and records it cannot read.</summary>
    public static bool TryParseRecord(ReadOnlySpan<char> line, out Varbind varbind, out string? error)
    {
        varbind = default;
        error = null;
        line = line.Trim(); // snmpsim strips the line before splitting it
        if (line.IsEmpty || line[0] == '#')
        {
            return false;
        }

        int first = line.IndexOf('|');
        int second = first < 0 ? -1 : line[(first + 1)..].IndexOf('|');
        if (second < 0)
        {
            error = "not OID|TAG|VALUE";
            return false;
        }

        second += first + 1;
        if (!ObjectIdentifier.TryParse(line[..first], out ObjectIdentifier oid))
        {
            error = "bad OID";
            return false;
        }

        ReadOnlySpan<char> tag = line[(first + 1)..second];
        ReadOnlySpan<char> text = line[(second + 1)..];
        int colon = tag.IndexOf(':'); // variation modules are not supported; the plain tag still applies
        if (colon >= 0)
        {
            tag = tag[..colon];
        }

        bool hex = tag.EndsWith("x");
        if (hex || tag.EndsWith("e"))
        {
            tag = tag[..^1];
        }

        if (!int.TryParse(tag, NumberStyles.None, CultureInfo.InvariantCulture, out int type))
        {
            error = "bad tag";
            return false;
        }

        try
        {
            SnmpValue? value = type switch
            {
                2 => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n) && n is >= int.MinValue and <= uint.MaxValue
                    ? SnmpValue.Integer32FromWire(n) : null,
                4 => SnmpValue.OctetString(hex ? Convert.FromHexString(text) : System.Text.Encoding.UTF8.GetBytes(text.ToString())),
                5 => SnmpValue.Null,
                6 => ObjectIdentifier.TryParse(text, out ObjectIdentifier o) ? SnmpValue.ObjectId(o) : null,
                64 => hex ? SnmpValue.IpAddress(Convert.FromHexString(text)) : IPAddress.TryParse(text, out IPAddress? ip) ? SnmpValue.IpAddress(ip) : null,
                65 => uint.TryParse(text, CultureInfo.InvariantCulture, out uint c) ? SnmpValue.Counter32(c) : null,
                66 => uint.TryParse(text, CultureInfo.InvariantCulture, out uint g) ? SnmpValue.Gauge32(g) : null,
                67 => uint.TryParse(text, CultureInfo.InvariantCulture, out uint t) ? SnmpValue.TimeTicks(t) : null,
                68 => SnmpValue.Opaque(Convert.FromHexString(text)),
                70 => ulong.TryParse(text, CultureInfo.InvariantCulture, out ulong c64) ? SnmpValue.Counter64(c64) : null,
                128 => SnmpValue.NoSuchObject,
                129 => SnmpValue.NoSuchInstance,
                130 => SnmpValue.EndOfMibView,
                _ => null,
            };
            if (value is null)
            {
                error = $"value '{text}' does not fit tag {type}";
                return false;
            }

            varbind = new Varbind(oid, value.Value);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            error = e.Message;
            return false;
        }
    }
}
