using System.Globalization;
using System.Text;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Collection.Readings;

namespace OneStopPi.Agent.Readings;

/// <summary>
/// Writes one scan as a reading document of schemas/readings.xsd (urn:onestoppi:readings:1):
/// scalars as attributes, the counters (the vocabulary first, then vendor extras) with their source OIDs, supplies with their raw
/// level, max and state. Values are cut to the schema's limits (a hostile device's 64 KB string
/// becomes 256 characters) so a document never fails the portal's validation because of a device.
/// </summary>
public static partial class ReadingDocumentWriter
{
    public const string Namespace = "urn:onestoppi:readings:1";
    private const int TextLimit = 256;
    private const int LongTextLimit = 1024;

    /// <summary>The schema's bound on counters per device.</summary>
    private const int MaxCounters = 64;
    private const int TokenLimit = 64;

    public static byte[] Write(string agentId, string siteId, ScanKind kind, bool missedMeter, DateTimeOffset start, DateTimeOffset end, IEnumerable<DeviceReading> readings,
        DateTimeOffset? slot = null)
    {
        var xml = new XmlDocumentBuilder(Namespace);
        xml.StartElement("scan");
        xml.Attribute("schemaVersion", "1");
        xml.Attribute("agentId", agentId);
        xml.Attribute("siteId", siteId);
        xml.Attribute("kind", kind == ScanKind.Meter ? "meter" : "status");
        if (missedMeter)
        {
            xml.Attribute("missedMeter", "true");
        }

        if (slot is { } scheduled)
        {
            xml.Attribute("slot", Utc(scheduled));
        }

        xml.Attribute("start", Utc(start));
        xml.Attribute("end", Utc(end));
        foreach (DeviceReading reading in readings)
        {
            WriteDevice(xml, reading);
        }

        xml.EndElement();
        return xml.ToUtf8();
    }

    private static void WriteDevice(XmlDocumentBuilder xml, DeviceReading reading)
    {
        xml.StartElement("device");
        xml.Attribute("ip", reading.Ip);
        if (reading.Port != 161)
        {
            xml.Attribute("port", reading.Port.ToString(CultureInfo.InvariantCulture));
        }

        Optional(xml, "mac", reading.Mac, TokenLimit);
        Optional(xml, "vendor", reading.Vendor, TextLimit);
        Optional(xml, "model", reading.Model, TextLimit);
        Optional(xml, "serial", reading.Serial, TextLimit);
        Optional(xml, "firmware", reading.Firmware, TextLimit);
        Optional(xml, "sysName", reading.SysName, TextLimit);
        Optional(xml, "sysDescr", reading.SysDescr, LongTextLimit);
        Optional(xml, "sysObjectId", reading.SysObjectId, TextLimit);
        bool answered = reading.Answered;
        if (!answered)
        {
            // The schema's rule: a device that did not answer has an error and no children.
            xml.Attribute("error", Clean(reading.Error ?? "no answer", TextLimit));
            xml.EndElement();
            return;
        }

        if (reading.Error is not null)
        {
            xml.Attribute("error", Clean(reading.Error, TextLimit));
        }

        WriteStatus(xml, reading.Status);
        foreach (string name in CounterNames.InReadingOrder(reading.Counters.Keys).Where(CounterNames.IsValid).Take(MaxCounters))
        {
            PageCounter counter = reading.Counters[name];
            if (counter.Value >= 0 && counter.Oid.Length <= TextLimit && IsCounterSource(counter.Oid))
            {
                xml.StartElement("counter");
                xml.Attribute("name", name);
                xml.Attribute("value", counter.Value.ToString(CultureInfo.InvariantCulture));
                xml.Attribute("oid", counter.Oid);
                xml.EndElement();
            }
        }

        foreach (SupplyReading supply in reading.Supplies)
        {
            xml.StartElement("supply");
            Optional(xml, "description", supply.Description, TextLimit);
            xml.Attribute("type", Camel(supply.Type.ToString()));
            Optional(xml, "colour", supply.Colour, TokenLimit);
            Int(xml, "level", supply.Level);
            Int(xml, "max", supply.Max);
            if (supply.Unit is { } unit)
            {
                xml.Attribute("unit", Camel(unit.ToString()));
            }

            if (supply.Percent is { } percent)
            {
                xml.Attribute("percent", Math.Clamp(percent, 0, 100).ToString(CultureInfo.InvariantCulture));
            }

            xml.Attribute("state", Camel(supply.State.ToString()));
            xml.EndElement();
        }

        xml.EndElement();
    }

    private static void WriteStatus(XmlDocumentBuilder xml, DeviceStatus status)
    {
        xml.StartElement("status");
        if (status.HrDeviceStatus is { } device)
        {
            xml.Attribute("hrDeviceStatus", ((int)device).ToString(CultureInfo.InvariantCulture));
        }

        if (status.HrPrinterStatus is { } printer)
        {
            xml.Attribute("hrPrinterStatus", ((int)printer).ToString(CultureInfo.InvariantCulture));
        }

        foreach (string error in status.Errors)
        {
            xml.ElementString("error", Clean(error, TokenLimit));
        }

        foreach (PrinterAlert alert in status.Alerts)
        {
            xml.StartElement("alert");
            if (alert.Severity is { } severity)
            {
                xml.Attribute("severity", Camel(severity.ToString()));
            }

            if (alert.Group is { } group)
            {
                xml.Attribute("group", Camel(group.ToString()));
            }

            if (alert.CodeValue is { } code)
            {
                xml.Attribute("code", code.ToString(CultureInfo.InvariantCulture));
            }

            Optional(xml, "description", alert.Description, TextLimit);
            xml.EndElement();
        }

        xml.EndElement();
    }

    private static void Optional(XmlDocumentBuilder xml, string name, string? value, int limit)
    {
        if (!string.IsNullOrEmpty(value))
        {
            xml.Attribute(name, Clean(value, limit));
        }
    }

    private static void Int(XmlDocumentBuilder xml, string name, long? value)
    {
        if (value is { } v && v is >= int.MinValue and <= int.MaxValue)
        {
            xml.Attribute(name, v.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Drops characters XML 1.0 cannot carry and cuts to the schema's length.</summary>
    internal static string Clean(string value, int limit)
    {
        var text = new StringBuilder(Math.Min(value.Length, limit));
        foreach (char c in value)
        {
            if (text.Length == limit)
            {
                break;
            }

            // XML 1.0's Char production without the surrogate pairs (as System.Xml's XmlConvert.IsXmlChar) and C0 controls but tab/LF/CR
            if (c is '\t' or '\n' or '\r' or (>= ' ' and <= '\uD7FF') or (>= '\uE000' and <= '\uFFFD'))
            {
                text.Append(c);
            }
        }

        if (text.Length > 0 && char.IsHighSurrogate(text[^1]))
        {
            text.Length--;
        }

        return text.ToString();
    }

    /// <summary>The schema's CounterSource: OIDs, "#xx" for a field in a vendor block, "+" for parts added up.</summary>
    /// <remarks>
    /// The schema's pattern, <c>[0-2](\.[0-9]+)+(#[0-9A-Fa-f]{2})?(\+[0-2](\.[0-9]+)+(#[0-9A-Fa-f]{2})?)*</c>, checked
    /// part by part (a generated regex for it cost 10 KiB of the AOT image).
    /// </remarks>
    internal static bool IsCounterSource(string text)
    {
        foreach (Range part in text.AsSpan().Split('+'))
        {
            ReadOnlySpan<char> source = text.AsSpan(part);
            int hash = source.IndexOf('#');
            if (hash >= 0 && (source.Length - hash != 3 || !char.IsAsciiHexDigit(source[^2]) || !char.IsAsciiHexDigit(source[^1])))
            {
                return false;
            }

            if (!IsNumericOid(hash >= 0 ? source[..hash] : source))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>"[0-2]" then one or more ".digits".</summary>
    private static bool IsNumericOid(ReadOnlySpan<char> oid)
    {
        if (oid.Length < 3 || oid[0] is < '0' or > '2' || oid[1] != '.')
        {
            return false;
        }

        foreach (Range arc in oid[2..].Split('.'))
        {
            ReadOnlySpan<char> digits = oid[2..][arc];
            if (digits.IsEmpty || digits.ContainsAnyExceptInRange('0', '9'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Camel(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
