using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using OneStopPi.Portal.Readings;
using OneStopPi.Portal.Tests.Support;
using static OneStopPi.Portal.Tests.Support.ReadingXml;

namespace OneStopPi.Portal.Tests.Readings;

/// <summary>schemas/readings.xsd: what the agent writes validates, the portal reads it back, and it stays compact.</summary>
public sealed class ReadingSchemaTests
{
    private static readonly DateTime End = new(2026, 3, 2, 6, 5, 0, DateTimeKind.Utc);

    private static string RepositorySchemaPath
    {
        get
        {
            var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "OneStopPi.sln")))
            {
                directory = directory.Parent;
            }

            return Path.Combine(directory?.FullName ?? throw new DirectoryNotFoundException("repository root"), "schemas", "readings.xsd");
        }
    }

    [Test]
    public async Task The_portal_embeds_the_repositorys_schema()
    {
        Assert.That(await ReadingsSchema.ReadTextAsync(), Is.EqualTo(await File.ReadAllTextAsync(RepositorySchemaPath)));
    }

    [Test]
    public void A_written_document_validates_against_the_schema_file_and_reads_back_field_for_field()
    {
        var agent = Guid.NewGuid();
        var document = Scan(agent, 7, End,
            Device("10.0.0.5", "VCF1234567", "00:17:c8:aa:bb:cc", [("total", 123456), ("mono", 100000), ("colour", 23456), ("duplex", 999)],
                [("black", 42), ("yellow", 3)]),
            Unanswered("10.0.0.6", "timeout"));
        var status = document.Element(Ns + "device")!.Element(Ns + "status")!;
        status.Add(new XElement(Ns + "error", "lowToner"),
            new XElement(Ns + "alert", new XAttribute("severity", "warning"), new XAttribute("group", "markerSupplies"),
                new XAttribute("code", 1101), new XAttribute("description", "Yellow toner low")));
        var bytes = Bytes(document);

        Assert.That(ValidationErrors(bytes), Is.Empty);
        var read = ReadingXmlReader.Read("a.xml", bytes);
        Assert.Multiple(() =>
        {
            Assert.That(read.AgentId, Is.EqualTo(agent.ToString("D")));
            Assert.That(read.SiteId, Is.EqualTo("7"));
            Assert.That(read.End, Is.EqualTo(End));
            Assert.That(read.End.Kind, Is.EqualTo(DateTimeKind.Utc));
            Assert.That(read.Devices, Has.Count.EqualTo(2));
            var d = read.Devices[0];
            Assert.That((d.Ip, d.Serial, d.Mac, d.Vendor, d.Port), Is.EqualTo(("10.0.0.5", "VCF1234567", "00:17:c8:aa:bb:cc", "Kyocera", 161)));
            Assert.That(d.Counters.Select(c => (c.Name, c.Value, c.Oid)),
                Is.EqualTo(new[] { ("total", 123456UL, CounterOids["total"]), ("mono", 100000UL, CounterOids["mono"]), ("colour", 23456UL, CounterOids["colour"]), ("duplex", 999UL, CounterOids["duplex"]) }));
            Assert.That(d.Supplies[1], Is.EqualTo(new SupplyReading("yellow toner", "toner", "yellow", 3, 100, "percent", 3, "low")));
            Assert.That(d.Status!.Errors, Is.EqualTo(new[] { "lowToner" }));
            Assert.That(d.Status.Alerts.Single(), Is.EqualTo(new AlertReading("warning", "markerSupplies", 1101, "Yellow toner low")));
            Assert.That(read.Devices[1].Error, Is.EqualTo("timeout"));
        });
    }

    [TestCase("counter", "oid", null, "The required attribute 'oid' is missing")]
    [TestCase("counter", "name", "Total pages", "'name' attribute is invalid")]
    [TestCase("device", "mac", "00-17-C8-AA-BB-CC", "'mac' attribute is invalid")]
    [TestCase("scan", "end", "2026-03-02T06:05:00+01:00", "'end' attribute is invalid")]
    [TestCase("supply", "percent", "140", "'percent' attribute is invalid")]
    public void The_schema_refuses(string element, string attribute, string? value, string message)
    {
        var document = Scan(Guid.NewGuid(), 7, End, Device("10.0.0.5", "S", "00:17:c8:aa:bb:cc", [("total", 1)], [("black", 50)]));
        var target = element == "scan" ? document : document.Descendants(Ns + element).First();
        target.SetAttributeValue(attribute, value);
        Assert.That(ValidationErrors(Bytes(document)), Has.Some.Contains(message));
    }

    /// <summary>
    /// The budget: a daily batch of 400 devices zips to well under 100 bytes per device. Realistic
    /// variety: unique serials, MACs and counters, four supplies on colour devices, a mix of models.
    /// </summary>
    [Test]
    public void A_daily_batch_of_400_devices_zips_to_well_under_100_bytes_per_device()
    {
        var random = new Random(20260302);
        string[] models = ["TASKalfa 3253ci", "ECOSYS M2540dn", "ECOSYS P3145dn", "TASKalfa 5053ci"];
        var devices = Enumerable.Range(0, 400).Select(i =>
        {
            var model = models[i % models.Length];
            var colour = model.EndsWith("ci", StringComparison.Ordinal);
            var total = random.NextInt64(5_000, 2_000_000);
            var mono = colour ? total * random.Next(50, 95) / 100 : total;
            var copy = total * random.Next(10, 60) / 100;
            (string, long)[] counters = colour
                ? [("total", total), ("mono", mono), ("colour", total - mono), ("print", total - copy), ("copy", copy), ("scan", random.Next(0, 90_000))]
                : [("total", total), ("print", total - copy), ("copy", copy)];
            (string, int)[] supplies = colour
                ? [("black", random.Next(0, 101)), ("cyan", random.Next(0, 101)), ("magenta", random.Next(0, 101)), ("yellow", random.Next(0, 101))]
                : [("black", random.Next(0, 101))];
            var mac = $"00:17:c8:{random.Next(256):x2}:{random.Next(256):x2}:{random.Next(256):x2}";
            return Device($"10.{20 + (i / 250)}.{i / 250}.{(i % 250) + 1}", $"V{random.Next(100_000_000, 999_999_999)}", mac, counters, supplies, model: model);
        }).ToArray();
        var document = Scan(Guid.NewGuid(), 12, End, devices);
        var xml = Bytes(document);
        var zip = Zip(("meter-2026-03-02.xml", xml));

        var perDevice = zip.Length / 400.0;
        TestContext.Out.WriteLine($"400 devices: XML {xml.Length} bytes ({xml.Length / 400.0:F0}/device), zipped {zip.Length} bytes ({perDevice:F1}/device)");
        Assert.That(ValidationErrors(xml), Is.Empty);
        Assert.That(perDevice, Is.LessThan(100));
    }

    private static List<string> ValidationErrors(byte[] xml)
    {
        var schemas = new XmlSchemaSet();
        schemas.Add(Ns.NamespaceName, RepositorySchemaPath);
        var errors = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = schemas, DtdProcessing = DtdProcessing.Prohibit };
        settings.ValidationFlags |= XmlSchemaValidationFlags.ReportValidationWarnings;
        settings.ValidationEventHandler += (_, e) => errors.Add(e.Message);
        using var reader = XmlReader.Create(new MemoryStream(xml), settings);
        while (reader.Read())
        {
        }

        return errors;
    }
}
