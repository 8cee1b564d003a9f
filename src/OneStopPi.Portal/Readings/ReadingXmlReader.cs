using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using Microsoft.AspNetCore.Http;
using OneStopPi.Portal.Data;

namespace OneStopPi.Portal.Readings;

/// <summary>
/// Reads one reading document, validating it against readings.xsd while it parses.
/// No DTD, no external resolution: a hostile document cannot reach files or the network.
/// </summary>
internal static class ReadingXmlReader
{
    private static readonly XNamespace Ns = ReadingsSchema.Namespace;

    public static ReadingDocument Read(string entryName, byte[] xml)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            ValidationType = ValidationType.Schema,
            Schemas = ReadingsSchema.Schemas,
            ValidationFlags = XmlSchemaValidationFlags.ReportValidationWarnings,
            MaxCharactersInDocument = xml.LongLength * 2,
        };
        settings.ValidationEventHandler += static (_, e) => throw new XmlSchemaValidationException(e.Message, e.Exception, e.Exception?.LineNumber ?? 0, e.Exception?.LinePosition ?? 0);

        XDocument document;
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(xml, writable: false), settings);
            document = XDocument.Load(reader, LoadOptions.None);
        }
        catch (XmlSchemaException e)
        {
            throw new UploadRejectedException(StatusCodes.Status422UnprocessableEntity, "Reading does not match readings.xsd",
                $"Entry '{entryName}': {e.Message}");
        }
        catch (XmlException e)
        {
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Invalid XML", $"Entry '{entryName}': {e.Message}");
        }

        var root = document.Root!;
        if (root.Name != Ns + "scan")
        {
            // A document in another namespace has no declaration in the set and would pass lax: refuse it here.
            throw new UploadRejectedException(StatusCodes.Status422UnprocessableEntity, "Reading does not match readings.xsd",
                $"Entry '{entryName}': the root element must be {{{ReadingsSchema.Namespace}}}scan, not {root.Name}.");
        }

        try
        {
            return Map(root);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            // Valid for the schema but outside what .NET represents (a year after 9999, say).
            throw new UploadRejectedException(StatusCodes.Status422UnprocessableEntity, "Reading value out of range", $"Entry '{entryName}': {e.Message}");
        }
    }

    private static ReadingDocument Map(XElement root) =>
        new(
            (string)root.Attribute("agentId")!,
            (string)root.Attribute("siteId")!,
            (string)root.Attribute("kind")! == "status" ? ScanKind.Status : ScanKind.Meter,
            (bool?)root.Attribute("missedMeter") ?? false,
            Utc(root.Attribute("start")!),
            Utc(root.Attribute("end")!),
            [.. root.Elements(Ns + "device").Select(ReadDevice)])
        {
            Slot = root.Attribute("slot") is { } slot ? Utc(slot) : null,
        };

    private static DeviceReading ReadDevice(XElement d)
    {
        var status = d.Element(Ns + "status");
        return new DeviceReading(
            (string)d.Attribute("ip")!,
            (int?)d.Attribute("port") ?? 161,
            (string?)d.Attribute("mac"),
            (string?)d.Attribute("vendor"),
            (string?)d.Attribute("model"),
            (string?)d.Attribute("serial"),
            (string?)d.Attribute("firmware"),
            (string?)d.Attribute("sysName"),
            (string?)d.Attribute("sysDescr"),
            (string?)d.Attribute("sysObjectId"),
            (string?)d.Attribute("error"),
            status is null ? null : new StatusReading(
                (int?)status.Attribute("hrDeviceStatus"),
                (int?)status.Attribute("hrPrinterStatus"),
                [.. status.Elements(Ns + "error").Select(e => e.Value.Trim())],
                [.. status.Elements(Ns + "alert").Select(a => new AlertReading(
                    (string?)a.Attribute("severity"), (string?)a.Attribute("group"), (int?)a.Attribute("code"), (string?)a.Attribute("description")))]),
            [.. d.Elements(Ns + "counter").Select(c => new CounterReading(
                (string)c.Attribute("name")!,
                XmlConvert.ToUInt64((string)c.Attribute("value")!),
                (string)c.Attribute("oid")!))],
            [.. d.Elements(Ns + "supply").Select(s => new SupplyReading(
                (string?)s.Attribute("description"), (string?)s.Attribute("type"), (string?)s.Attribute("colour"),
                (int?)s.Attribute("level"), (int?)s.Attribute("max"), (string?)s.Attribute("unit"),
                (int?)s.Attribute("percent"), (string?)s.Attribute("state")))]);
    }

    private static DateTime Utc(XAttribute attribute) =>
        XmlConvert.ToDateTime(attribute.Value, XmlDateTimeSerializationMode.Utc);
}
