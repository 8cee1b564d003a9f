using OneStopPi.Collection.Profiles;
using OneStopPi.Collection.Readings;
using OneStopPi.Collection.Tests.Support;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Collection.Tests.Readings;

/// <summary>
/// Every recording with vendor counters, read through snmpsim: each counter by name and value, and no
/// other counter (a counter the device does not have is absent). Real recordings (samples/walks) and,
/// for vendors whose counters are in no real recording, printers built from the MIB
/// (Data/walks/mib-*.snmprec, see Data/walks/README.md). Sums must name their parts.
/// </summary>
[NonParallelizable]
public sealed class VendorCounterTests
{
    private static readonly Dictionary<string, (string? Model, Dictionary<string, long> Counters)> Expected = new()
    {
        ["sharp.snmprec"] = ("MX-3570N", new()
        {
            ["total"] = 121104, ["sincePowerOn"] = 9562, ["mono"] = 91164, ["colour"] = 29940, ["twoColour"] = 0, ["oneColour"] = 0,
            ["print"] = 82214, ["printMono"] = 53631, ["printColour"] = 28583,
            ["copy"] = 38804, ["copyMono"] = 37485, ["copyColour"] = 1319, ["copyTwoColour"] = 0, ["copyOneColour"] = 0,
            ["scan"] = 13534, ["scanMono"] = 6170, ["scanColour"] = 7364, ["scanToEmail"] = 13534,
            ["hddScan"] = 6, ["hddScanMono"] = 6, ["hddScanColour"] = 0, ["hddScanTwoColour"] = 0,
            ["filing"] = 0, ["filingMono"] = 0, ["filingColour"] = 0, ["filingTwoColour"] = 0, ["filingOneColour"] = 0,
            ["otherMono"] = 48, ["otherColour"] = 38, ["documentFeeder"] = 12441, ["duplex"] = 41020,
        }),
        ["jetdirect_m130nw.snmprec"] = ("LaserJet MFP M130nw", new()
        {
            ["total"] = 15232, ["sincePowerOn"] = 237, ["mono"] = 15232, ["duplex"] = 0, ["jams"] = 12, ["scan"] = 1190, ["scanFlatbed"] = 1190,
        }),
        ["brother_mfc-t910dw.snmprec"] = ("MFC-T910DW", new() { ["total"] = 3384, ["mono"] = 185, ["colour"] = 3199, ["duplex"] = 1445 }),
        ["brother_dcp-1618w.snmprec"] = ("DCP-1618W", new() { ["total"] = 3914, ["drumPages"] = 312 }),
        ["brother_hl5370dw.snmprec"] = ("HL-5370DW", new() { ["total"] = 7792, ["sincePowerOn"] = 33 }),
        ["utax.snmprec"] = ("P-4532DN", new() { ["total"] = 427, ["sincePowerOn"] = 11 }),
        ["samsungprinter_m4080fx.snmprec"] = ("M408x", new() { ["total"] = 22934, ["sincePowerOn"] = 473 }),
        ["ricoh_mpc3002.snmprec"] = ("Aficio MP C3002", new() { ["total"] = 271871, ["sincePowerOn"] = 138 }),
        ["mib-konica-minolta.snmprec"] = ("bizhub C458", new()
        {
            ["total"] = 50000, ["sincePowerOn"] = 321, ["duplex"] = 8000, ["copyMono"] = 12000, ["printMono"] = 20000, ["copyColour"] = 3000,
            ["printColour"] = 15000, ["copy"] = 15000, ["print"] = 35000, ["mono"] = 32000, ["colour"] = 18000, ["scan"] = 4100,
        }),
        ["mib-kyocera.snmprec"] = ("TASKalfa 3253ci", new()
        {
            ["total"] = 30600, ["sincePowerOn"] = 321, ["print"] = 20000, ["copy"] = 10000, ["fax"] = 600,
            ["printMono"] = 12000, ["printOneColour"] = 500, ["printColour"] = 7500, ["copyMono"] = 7000, ["copyOneColour"] = 200, ["copyColour"] = 2800,
            ["faxMono"] = 600, ["mono"] = 19600, ["colour"] = 10300, ["oneColour"] = 700,
            ["copyScans"] = 4200, ["faxScans"] = 300, ["otherScans"] = 900, ["scan"] = 5400,
        }),
        ["mib-canon.snmprec"] = ("iR-ADV C5535", new()
        {
            ["total"] = 40000, ["sincePowerOn"] = 321, ["large"] = 6000, ["mono"] = 24000, ["colour"] = 16000, ["largeMono"] = 2500,
            ["largeColour"] = 3500, ["print"] = 29000, ["scan"] = 8000, ["scanMono"] = 5500,
        }),
        ["mib-canon-lbp.snmprec"] = ("LBP712Cx", new()
        {
            ["total"] = 9000, ["sincePowerOn"] = 321, ["mono"] = 5000, ["colour"] = 4000, ["largeColour"] = 400, ["largeMono"] = 100, ["print"] = 9000,
        }),
        ["mib-xerox.snmprec"] = ("VersaLink C7020", new()
        {
            ["total"] = 26000, ["sincePowerOn"] = 321, ["print"] = 18000, ["printColour"] = 7000, ["printMono"] = 11000,
            ["copyMono"] = 6000, ["copyColour"] = 2000, ["copy"] = 8000, ["fax"] = 250, ["largeColour"] = 900, ["largeMono"] = 1500,
            ["scanToEmail"] = 1800, ["scanToNetwork"] = 700, ["scan"] = 2500,
        }),
        ["mib-lexmark.snmprec"] = ("CX725", new()
        {
            ["total"] = 21100, ["sincePowerOn"] = 321, ["print"] = 15000, ["printMono"] = 9000, ["printColour"] = 6000,
            ["copy"] = 5800, ["copyMono"] = 5000, ["copyColour"] = 800, ["fax"] = 300, ["faxMono"] = 300, ["mono"] = 14300, ["colour"] = 6800,
        }),
        ["mib-ricoh.snmprec"] = ("IM C3000", new()
        {
            ["total"] = 61000, ["sincePowerOn"] = 321, ["copy"] = 21000, ["copyMono"] = 15000, ["copyColour"] = 6000, ["fax"] = 400,
            ["print"] = 39600, ["printMono"] = 30000, ["printColour"] = 9600, ["scan"] = 9500,
        }),
        ["mib-epson.snmprec"] = ("AM-C550", new()
        {
            ["total"] = 81563, ["sincePowerOn"] = 321, ["mono"] = 39797, ["colour"] = 41766, ["print"] = 49053, ["copy"] = 32474,
            ["printColour"] = 39434, ["copyColour"] = 2313,
        }),
    };

    /// <summary>Counters a profile adds up: the reading must list every part ("a+b").</summary>
    private static readonly (string File, string Counter, int Parts)[] Sums =
    [
        ("sharp.snmprec", "scan", 2), ("mib-konica-minolta.snmprec", "print", 2), ("mib-konica-minolta.snmprec", "mono", 2),
        ("mib-kyocera.snmprec", "mono", 3), ("mib-kyocera.snmprec", "scan", 3), ("mib-canon.snmprec", "colour", 2),
        ("mib-canon-lbp.snmprec", "colour", 2), ("mib-xerox.snmprec", "copy", 2), ("mib-lexmark.snmprec", "mono", 3),
        ("mib-ricoh.snmprec", "printColour", 2), ("jetdirect_m130nw.snmprec", "scan", 2),
    ];

    private SnmpClient _client = null!;

    [OneTimeSetUp]
    public void StartClient() => _client = new SnmpClient();

    [OneTimeTearDown]
    public async Task StopClient() => await _client.DisposeAsync();

    public static IEnumerable<TestCaseData> Recordings() =>
        Expected.Keys.Order(StringComparer.Ordinal).Select(f => new TestCaseData(f).SetName($"vendor counters of {f}"));

    [TestCaseSource(nameof(Recordings))]
    public async Task Every_counter_the_device_has_by_name_and_no_other(string file)
    {
        (string? model, Dictionary<string, long> expected) = Expected[file];
        DeviceReading reading = await new DeviceCollector(_client).ReadAsync(
            new SnmpTarget((await Fleets.WalksAsync()).EndPointOf(file), new CommunityCredentials(SnmpVersion.V2c, "public")));
        TestContext.Out.WriteLine(ReadingJson.Serialize(reading));
        Assert.Multiple(() =>
        {
            Assert.That(reading.Error, Is.Null, "error");
            Assert.That(reading.Requests, Is.LessThanOrEqualTo(12), "requests");
            Assert.That(reading.Model, Is.EqualTo(model), "model");
            Assert.That(reading.Counters.ToDictionary(c => c.Key, c => c.Value.Value), Is.EquivalentTo(expected), "counters");
            Assert.That(reading.Counters.Keys, Is.EqualTo(CounterNames.InReadingOrder(reading.Counters.Keys)), "vocabulary order, then extras");
            foreach ((string _, string counter, int parts) in Sums.Where(s => s.File == file))
            {
                Assert.That(reading.Counters[counter].Oid.Split('+'), Has.Length.EqualTo(parts), $"{counter} names its parts");
            }

            foreach ((string name, PageCounter counter) in reading.Counters.Where(c => !c.Key.Equals(CounterNames.Total, StringComparison.Ordinal)))
            {
                Assert.That(CounterNames.IsValid(name), Is.True, $"{name} is a valid counter name");
                Assert.That(counter.Oid, Does.Match(@"^[0-9.]+(#[0-9a-f]{2})?(\+[0-9.]+)*$"), $"{name} source");
            }
        });
    }

    [Test]
    public void Every_profile_counter_names_its_source_and_uses_a_valid_name()
    {
        foreach (VendorProfile profile in ProfileCatalog.Embedded.Profiles)
        {
            foreach (CounterSource counter in profile.Counters)
            {
                Assert.That(counter.Source, Is.Not.Null.And.Not.Empty, $"{profile.Name}: {counter.Name} has no source");
                Assert.That(CounterNames.IsValid(counter.Name), Is.True, $"{profile.Name}: {counter.Name}");
            }

            foreach (CounterRow row in profile.CounterTables.SelectMany(t => t.Rows))
            {
                Assert.That(row.Source, Is.Not.Null.And.Not.Empty, $"{profile.Name}: table row {row.Counter} has no source");
            }
        }
    }

    [TestCase("total", true)]
    [TestCase("printOneColour", true)]
    [TestCase("hddScanTwoColour", true)]
    [TestCase("printSingleColour", false)]
    [TestCase("Total", false)]
    [TestCase("scan-to-email", false)]
    [TestCase("x", false)]
    public void Counter_names_are_short_camel_case(string name, bool valid) => Assert.That(CounterNames.IsValid(name), Is.EqualTo(valid));

    [Test]
    public void A_profile_with_a_bad_counter_name_or_two_ways_is_refused()
    {
        Assert.That(() => ProfileCatalog.Parse("""{ "name": "x", "vendor": "X", "match": [ { "sysDescr": "^X" } ], "counters": [ { "name": "Copy-Mono", "oid": "1.3.6.1.4.1.1.1" } ] }""", "test"),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("Copy-Mono"));
        Assert.That(() => ProfileCatalog.Parse("""{ "name": "x", "vendor": "X", "match": [ { "sysDescr": "^X" } ], "counters": [ { "name": "copy", "oid": "1.3.6.1.4.1.1.1", "first": [ "1.3.6.1.4.1.1.2" ] } ] }""", "test"),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("exactly one of oid, sum and first"));
    }
}
