using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
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

    public static byte[] Write(string agentId, string siteId, ScanKind kind, bool missedMeter, DateTimeOffset start, DateTimeOffset end, IEnumerable<DeviceReading> readings)
    {
        using var buffer = new MemoryStream();
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false, CheckCharacters = true };
        using (XmlWriter xml = XmlWriter.Create(buffer, settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("scan", Namespace);
            xml.WriteAttributeString("schemaVersion", "1");
            xml.WriteAttributeString("agentId", agentId);
            xml.WriteAttributeString("siteId", siteId);
            xml.WriteAttributeString("kind", kind == ScanKind.Meter ? "meter" : "status");
            if (missedMeter)
            {
                xml.WriteAttributeString("missedMeter", "true");
            }

            xml.WriteAttributeString("start", Utc(start));
            xml.WriteAttributeString("end", Utc(end));
            foreach (DeviceReading reading in readings)
            {
                WriteDevice(xml, reading);
            }

            xml.WriteEndElement();
            xml.WriteEndDocument();
        }

        return buffer.ToArray();
    }

    private static void WriteDevice(XmlWriter xml, DeviceReading reading)
    {
        xml.WriteStartElement("device", Namespace);
        xml.WriteAttributeString("ip", reading.Ip);
        if (reading.Port != 161)
        {
            xml.WriteAttributeString("port", reading.Port.ToString(CultureInfo.InvariantCulture));
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
            xml.WriteAttributeString("error", Clean(reading.Error ?? "no answer", TextLimit));
            xml.WriteEndElement();
            return;
        }

        if (reading.Error is not null)
        {
            xml.WriteAttributeString("error", Clean(reading.Error, TextLimit));
        }

        WriteStatus(xml, reading.Status);
        foreach (string name in CounterNames.InReadingOrder(reading.Counters.Keys).Where(CounterNames.IsValid).Take(MaxCounters))
        {
            PageCounter counter = reading.Counters[name];
            if (counter.Value >= 0 && counter.Oid.Length <= TextLimit && CounterSource().IsMatch(counter.Oid))
            {
                xml.WriteStartElement("counter", Namespace);
                xml.WriteAttributeString("name", name);
                xml.WriteAttributeString("value", counter.Value.ToString(CultureInfo.InvariantCulture));
                xml.WriteAttributeString("oid", counter.Oid);
                xml.WriteEndElement();
            }
        }

        foreach (SupplyReading supply in reading.Supplies)
        {
            xml.WriteStartElement("supply", Namespace);
            Optional(xml, "description", supply.Description, TextLimit);
            xml.WriteAttributeString("type", Camel(supply.Type.ToString()));
            Optional(xml, "colour", supply.Colour, TokenLimit);
            Int(xml, "level", supply.Level);
            Int(xml, "max", supply.Max);
            if (supply.Unit is { } unit)
            {
                xml.WriteAttributeString("unit", Camel(unit.ToString()));
            }

            if (supply.Percent is { } percent)
            {
                xml.WriteAttributeString("percent", Math.Clamp(percent, 0, 100).ToString(CultureInfo.InvariantCulture));
            }

            xml.WriteAttributeString("state", Camel(supply.State.ToString()));
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    }

    private static void WriteStatus(XmlWriter xml, DeviceStatus status)
    {
        xml.WriteStartElement("status", Namespace);
        if (status.HrDeviceStatus is { } device)
        {
            xml.WriteAttributeString("hrDeviceStatus", ((int)device).ToString(CultureInfo.InvariantCulture));
        }

        if (status.HrPrinterStatus is { } printer)
        {
            xml.WriteAttributeString("hrPrinterStatus", ((int)printer).ToString(CultureInfo.InvariantCulture));
        }

        foreach (string error in status.Errors)
        {
            xml.WriteElementString("error", Namespace, Clean(error, TokenLimit));
        }

        foreach (PrinterAlert alert in status.Alerts)
        {
            xml.WriteStartElement("alert", Namespace);
            if (alert.Severity is { } severity)
            {
                xml.WriteAttributeString("severity", Camel(severity.ToString()));
            }

            if (alert.Group is { } group)
            {
                xml.WriteAttributeString("group", Camel(group.ToString()));
            }

            if (alert.CodeValue is { } code)
            {
                xml.WriteAttributeString("code", code.ToString(CultureInfo.InvariantCulture));
            }

            Optional(xml, "description", alert.Description, TextLimit);
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    }

    private static void Optional(XmlWriter xml, string name, string? value, int limit)
    {
        if (!string.IsNullOrEmpty(value))
        {
            xml.WriteAttributeString(name, Clean(value, limit));
        }
    }

    private static void Int(XmlWriter xml, string name, long? value)
    {
        if (value is { } v && v is >= int.MinValue and <= int.MaxValue)
        {
            xml.WriteAttributeString(name, v.ToString(CultureInfo.InvariantCulture));
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

            if (XmlConvert.IsXmlChar(c) && !(c < ' ' && c is not ('\t' or '\n' or '\r')))
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
    [GeneratedRegex(@"^[0-2](\.[0-9]+)+(#[0-9A-Fa-f]{2})?(\+[0-2](\.[0-9]+)+(#[0-9A-Fa-f]{2})?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex CounterSource();

    private static string Camel(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
