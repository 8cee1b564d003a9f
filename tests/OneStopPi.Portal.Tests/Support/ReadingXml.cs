using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace OneStopPi.Portal.Tests.Support;

/// <summary>Writes reading documents the way the agent does (urn:onestoppi:readings:1), and zips them.</summary>
internal static class ReadingXml
{
    public static readonly XNamespace Ns = "urn:onestoppi:readings:1";

    public static readonly IReadOnlyDictionary<string, string> CounterOids = new Dictionary<string, string>
    {
        ["total"] = "1.3.6.1.2.1.43.10.2.1.4.1.1",
        ["mono"] = "1.3.6.1.4.1.1347.42.3.1.1.1.1.1",
        ["colour"] = "1.3.6.1.4.1.1347.42.3.1.1.1.1.2",
        ["print"] = "1.3.6.1.4.1.1347.42.3.1.2.1.1.1.1",
        ["copy"] = "1.3.6.1.4.1.1347.42.3.1.2.1.1.2.1",
        ["scan"] = "1.3.6.1.4.1.1347.46.10.1.1.5.1",
        ["fax"] = "1.3.6.1.4.1.1347.42.3.1.2.1.1.4.1",
        ["duplex"] = "1.3.6.1.4.1.1347.42.3.1.3.1.1.1",
        ["copyMono"] = "1.3.6.1.4.1.1347.42.3.1.2.1.1.2.1",
        ["scanToEmail"] = "1.3.6.1.4.1.2385.1.1.19.2.1.3.7.4.50",
    };

    public static XElement Scan(Guid agentId, int siteId, DateTime end, params XElement[] devices) =>
        Scan(agentId, siteId.ToString(CultureInfo.InvariantCulture), "meter", end.AddMinutes(-3), end, devices);

    public static XElement Scan(Guid agentId, string siteId, string kind, DateTime start, DateTime end, params XElement[] devices) =>
        new(Ns + "scan",
            new XAttribute("schemaVersion", 1),
            new XAttribute("agentId", agentId.ToString("D")),
            new XAttribute("siteId", siteId),
            new XAttribute("kind", kind),
            new XAttribute("start", Utc(start)),
            new XAttribute("end", Utc(end)),
            devices);

    public static XElement Device(
        string ip, string? serial, string? mac, IEnumerable<(string Name, long Value)> counters,
        IEnumerable<(string Colour, int Percent)>? supplies = null, string vendor = "Kyocera", string model = "TASKalfa 3253ci") =>
        new(Ns + "device",
            new XAttribute("ip", ip),
            mac is null ? null : new XAttribute("mac", mac),
            new XAttribute("vendor", vendor),
            new XAttribute("model", model),
            serial is null ? null : new XAttribute("serial", serial),
            new XAttribute("firmware", "2S0_2000.004.502"),
            new XAttribute("sysName", "KM" + ip.Replace('.', '-')),
            new XAttribute("sysDescr", $"{vendor} {model}"),
            new XAttribute("sysObjectId", "1.3.6.1.4.1.1347.41"),
            new XElement(Ns + "status", new XAttribute("hrDeviceStatus", 2), new XAttribute("hrPrinterStatus", 3)),
            counters.Select(c => new XElement(Ns + "counter",
                new XAttribute("name", c.Name), new XAttribute("value", c.Value), new XAttribute("oid", CounterOids[c.Name]))),
            (supplies ?? []).Select(s => new XElement(Ns + "supply",
                new XAttribute("description", $"{s.Colour} toner"), new XAttribute("type", "toner"), new XAttribute("colour", s.Colour),
                new XAttribute("level", s.Percent), new XAttribute("max", 100), new XAttribute("unit", "percent"),
                new XAttribute("percent", s.Percent), new XAttribute("state", s.Percent < 10 ? "low" : "ok"))));

    public static XElement Unanswered(string ip, string error) =>
        new(Ns + "device", new XAttribute("ip", ip), new XAttribute("error", error));

    public static byte[] Bytes(XElement document)
    {
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            new XDocument(new XDeclaration("1.0", "utf-8", null), document).Save(writer);
        }

        return stream.ToArray();
    }

    public static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.SmallestSize);
                using var s = entry.Open();
                s.Write(content);
            }
        }

        return stream.ToArray();
    }

    public static byte[] Zip(params XElement[] documents) =>
        Zip([.. documents.Select((d, i) => ($"scan-{i:D3}.xml", Bytes(d)))]);

    private static string Utc(DateTime value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
