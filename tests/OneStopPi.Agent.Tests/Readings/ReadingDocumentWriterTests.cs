using System.Net;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using OneStopPi.Agent.Readings;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Collection;
using OneStopPi.Collection.Readings;
using OneStopPi.Simulator;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Agent.Tests.Readings;

/// <summary>
/// The agent's reading documents validate against schemas/readings.xsd, the schema the portal
/// validates uploads with: for every recording in samples/walks read through the simulator, and
/// for hostile values a device can send.
/// </summary>
public sealed class ReadingDocumentWriterTests
{
    // 127.0.87.x is this fixture's loopback block.
    private static readonly IPAddress FirstDevice = IPAddress.Parse("127.0.87.1");
    private const int Port = 47361;

    private static string RepositoryFile(params string[] parts)
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine([dir.FullName, .. parts]);
            if (File.Exists(candidate) || Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(string.Join('/', parts) + " not found above the test directory");
    }

    private static XmlSchemaSet Schema()
    {
        var schemas = new XmlSchemaSet();
        schemas.Add("urn:onestoppi:readings:1", RepositoryFile("schemas", "readings.xsd"));
        schemas.Compile();
        return schemas;
    }

    private static List<string> Validate(byte[] document)
    {
        var errors = new List<string>();
        XDocument xml = XDocument.Load(new MemoryStream(document));
        xml.Validate(Schema(), (_, e) => errors.Add(e.Message));
        return errors;
    }

    [Test]
    public async Task Readings_of_every_recorded_printer_validate_against_the_schema()
    {
        RecordingSet recordings = RecordingLoader.LoadDirectory(RepositoryFile("samples", "walks"));
        Assert.That(recordings.Recordings, Has.Count.GreaterThanOrEqualTo(14));
        await using FleetSimulator fleet = FleetSimulator.Create(recordings.Recordings, new SimulatorOptions { FirstAddress = FirstDevice, Port = Port });
        fleet.Start();
        await using var client = new SnmpClient();
        var collector = new DeviceCollector(client);
        var readings = new List<DeviceReading>();
        foreach (SimulatedDevice device in fleet.Devices)
        {
            var target = new SnmpTarget(device.EndPoint, new CommunityCredentials(SnmpVersion.V2c, "public"));
            readings.Add(await collector.ReadAsync(target));
        }

        Assert.That(readings.Count(r => r.Answered), Is.EqualTo(recordings.Recordings.Count), "every simulated device answers");
        byte[] document = ReadingDocumentWriter.Write("agent-1", "7", ScanKind.Meter, false,
            new DateTimeOffset(2026, 11, 25, 6, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 25, 6, 0, 9, TimeSpan.Zero), readings);

        Assert.That(Validate(document), Is.Empty);
        XNamespace ns = ReadingDocumentWriter.Namespace;
        XDocument xml = XDocument.Load(new MemoryStream(document));
        Assert.That(xml.Root!.Elements(ns + "device").Count(), Is.EqualTo(readings.Count));
        Assert.That(xml.Descendants(ns + "counter").Count(), Is.GreaterThan(10), "the fleet's page counters are in the document");
    }

    [Test]
    public void Hostile_values_are_cut_and_cleaned_to_stay_valid()
    {
        string huge = new string('A', 65536);
        var reading = new DeviceReading
        {
            Ip = "10.0.0.5",
            Port = 161,
            Model = "Model\u0001\u0007with controls\uFFFE",
            Serial = huge,
            SysDescr = huge,
            Vendor = "Vendor & Sons <\"quoted\">",
            Firmware = "line\r\nbreak\ttab",
            Status = new DeviceStatus { Errors = ["lowToner", new string('x', 500), "a<b&c"], Alerts = [new PrinterAlert { Description = huge, CodeValue = 5 }] },
            Counters = new Dictionary<string, PageCounter>
            {
                [CounterNames.Total] = new PageCounter(123, "1.3.6.1.2.1.43.10.2.1.4.1.1"),
                [CounterNames.Mono] = new PageCounter(-5, "1.3.6.1.4.1.1.1"),
                [CounterNames.Print] = new PageCounter(7, "1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.10.0#00"),
            },
            Supplies = [new SupplyReading { Description = huge, Level = long.MaxValue, Max = -2, Percent = 250, State = SupplyState.Unknown }],
        };
        var silent = new DeviceReading { Ip = "10.0.0.6", Port = 1161, Answered = false, Error = "timeout: no answer" };

        byte[] document = ReadingDocumentWriter.Write("agent-1", "7", ScanKind.Status, true, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [reading, silent]);

        Assert.That(Validate(document), Is.Empty);
        XNamespace ns = ReadingDocumentWriter.Namespace;
        XElement[] devices = [.. XDocument.Load(new MemoryStream(document)).Root!.Elements(ns + "device")];
        Assert.That(devices[0].Attribute("serial")!.Value, Has.Length.EqualTo(256));
        Assert.That(devices[0].Attribute("model")!.Value, Is.EqualTo("Modelwith controls"));
        Assert.That(devices[0].Attribute("vendor")!.Value, Is.EqualTo("Vendor & Sons <\"quoted\">"), "markup characters escaped");
        Assert.That(devices[0].Attribute("firmware")!.Value, Is.EqualTo("line\r\nbreak\ttab"), "white space in an attribute survives the parser's normalisation");
        Assert.That(devices[0].Element(ns + "status")!.Elements(ns + "error").Select(e => e.Value), Has.Member("a<b&c"));
        Assert.That(devices[0].Elements(ns + "counter").Select(c => c.Attribute("name")!.Value), Is.EqualTo(new[] { "total", "print" }), "a negative counter is not a meter");
        Assert.That(devices[1].Attribute("error")!.Value, Is.EqualTo("timeout: no answer"));
        Assert.That(devices[1].HasElements, Is.False);
    }

    [Test]
    public void Every_counter_is_written_vocabulary_first_then_extras_and_the_schema_accepts_them()
    {
        var counters = new Dictionary<string, PageCounter>
        {
            ["scanToEmail"] = new PageCounter(13534, "1.3.6.1.4.1.2385.1.1.19.2.1.3.7.4.50"),
            [CounterNames.CopyMono] = new PageCounter(37485, "1.3.6.1.4.1.2385.1.1.19.2.1.3.4.4.61"),
            [CounterNames.Total] = new PageCounter(121104, "1.3.6.1.2.1.43.10.2.1.4.1.1"),
            [CounterNames.Scan] = new PageCounter(13534, "1.3.6.1.4.1.2385.1.1.19.2.1.3.7.4.51+1.3.6.1.4.1.2385.1.1.19.2.1.3.7.4.53"),
            [CounterNames.SincePowerOn] = new PageCounter(9562, "1.3.6.1.2.1.43.10.2.1.5.1.1"),
            ["Not-A-Name"] = new PageCounter(1, "1.3.6.1.4.1.1.1"),
        };
        var reading = new DeviceReading { Ip = "10.0.0.7", Port = 161, Counters = counters };

        byte[] document = ReadingDocumentWriter.Write("agent-1", "7", ScanKind.Meter, false, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [reading]);

        Assert.That(Validate(document), Is.Empty);
        XNamespace ns = ReadingDocumentWriter.Namespace;
        XElement device = XDocument.Load(new MemoryStream(document)).Root!.Element(ns + "device")!;
        Assert.That(device.Elements(ns + "counter").Select(c => c.Attribute("name")!.Value),
            Is.EqualTo(new[] { "total", "copyMono", "scan", "scanToEmail", "sincePowerOn" }), "a name outside the schema's pattern is left out");
    }
}
