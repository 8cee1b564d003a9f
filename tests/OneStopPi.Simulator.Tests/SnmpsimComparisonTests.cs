using System.Globalization;
using System.Net;
using OneStopPi.Snmp.Transport;
using OneStopPi.TestSupport;

namespace OneStopPi.Simulator.Tests;

/// <summary>
/// Our simulator against Debian's snmpsim 0.4.5 (the reference), both serving the same recordings:
/// walked by our client (records compared) and by net-snmp's snmpbulkwalk / snmpwalk (output text compared,
/// so the comparison does not depend on our client at all). v1 is compared against the fleet script's v1
/// mode, which serves the files without their Counter64 records (what RFC 3584 says a v1 agent shows).
/// </summary>
[NonParallelizable]
public class SnmpsimComparisonTests
{
    private static readonly string[] Handful =
    [
        "jetdirect.snmprec",             // Counter64 records, hex strings with NUL bytes
        "zebra.snmprec",                 // the largest (1270 records), OID values
        "samsungprinter_m4080fx.snmprec",// a sysDescr with a trailing space, stored as hex
        "canonprinter_lbp.snmprec",      // had duplicate OIDs upstream
        "sharp.snmprec",                 // vendor Counter32 table
        "brother_dcp-1618w.snmprec",     // a rebuilt Brother recording: no system group
        "okilan_9450g.snmprec",          // had an unreadable Counter32 upstream
    ];

    private FleetSimulator _ours = null!;
    private SnmpsimFleet? _theirs;
    private SnmpsimFleet? _theirsV1;
    private SnmpClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        Peers.Require("snmpsimd");
        Peers.Require("snmpbulkwalk");
        string[] files = [.. Handful.Select(f => Path.Combine(TestPaths.Walks, f))];
        _theirs = await SnmpsimFleet.StartAsync("v2c", "127.0.95.151", [.. files], Loopback.SnmpsimPort);
        _theirsV1 = await SnmpsimFleet.StartAsync("v1", "127.0.95.181", [.. files], Loopback.SnmpsimV1Port);
        _ours = Fleet.Start([.. Handful.Select(Fleet.Sample)], 101, Loopback.ComparePort);
        _client = new SnmpClient();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_theirs is not null)
        {
            await _theirs.DisposeAsync();
        }

        if (_theirsV1 is not null)
        {
            await _theirsV1.DisposeAsync();
        }

        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_ours is not null)
        {
            await _ours.DisposeAsync();
        }
    }

    private static IEnumerable<int> Indexes() => Enumerable.Range(0, Handful.Length);

    private static IPEndPoint Ours(int i) => new(Loopback.At(101 + i), Loopback.ComparePort);

    private static IPEndPoint Theirs(int i) => new(Loopback.At(151 + i), Loopback.SnmpsimPort);

    private static IPEndPoint TheirsV1(int i) => new(Loopback.At(181 + i), Loopback.SnmpsimV1Port);

    [TestCaseSource(nameof(Indexes))]
    public async Task Our_client_walks_the_same_records_from_both(int i)
    {
        List<string> ours = await Fleet.WalkAsync(_client, Fleet.V2c(Ours(i)));
        List<string> theirs = await Fleet.WalkAsync(_client, Fleet.V2c(Theirs(i)));

        Assert.That(ours, Is.EqualTo(theirs), Handful[i]);
        Assert.That(ours, Has.Count.EqualTo(Fleet.Sample(Handful[i]).Count));
    }

    [TestCaseSource(nameof(Indexes))]
    public void Net_snmp_snmpbulkwalk_prints_the_same_from_both(int i)
    {
        string ours = BulkWalk(Ours(i));
        string theirs = BulkWalk(Theirs(i));

        Assert.That(ours, Is.EqualTo(theirs), Handful[i]);
        Assert.That(ours.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.GreaterThanOrEqualTo(Fleet.Sample(Handful[i]).Count));
    }

    [TestCaseSource(nameof(Indexes))]
    public void Net_snmp_v1_snmpwalk_prints_the_same_as_the_v1_fleet(int i)
    {
        string ours = Walk(Ours(i), "1");
        string theirs = Walk(TheirsV1(i), "1");

        Assert.That(ours, Is.EqualTo(theirs), Handful[i]);
    }

    [Test]
    public void Net_snmp_get_of_a_missing_object_prints_the_same_from_both()
    {
        string[] oids = ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.9.9.9", "1.3.6.1.2.1.43.10.2.1.4.1.1", "1.3.6.1.4.1.99999.1"];
        for (int i = 0; i < Handful.Length; i++)
        {
            string ours = Get(Ours(i), oids);
            string theirs = Get(Theirs(i), oids);
            Assert.That(ours, Is.EqualTo(theirs), Handful[i]);
        }
    }

    private static string Address(IPEndPoint endPoint) => $"{endPoint.Address}:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}";

    private static string BulkWalk(IPEndPoint endPoint)
    {
        (int code, string output, string error) = Peers.Run("snmpbulkwalk",
            ["-v2c", "-c", "public", "-On", "-Ox", "-Cr25", "-t", "2", "-r", "2", Address(endPoint), ".1"], TimeSpan.FromSeconds(600)); // a hang guard: one GETNEXT per object, slow on a busy machine
        Assert.That(code, Is.Zero, error);
        return output;
    }

    private static string Walk(IPEndPoint endPoint, string version)
    {
        (int code, string output, string error) = Peers.Run("snmpwalk",
            [$"-v{version}", "-c", "public", "-On", "-Ox", "-t", "2", "-r", "2", Address(endPoint), ".1"], TimeSpan.FromSeconds(600)); // a hang guard: one GETNEXT per object, slow on a busy machine
        Assert.That(code, Is.Zero, error);
        return output;
    }

    private static string Get(IPEndPoint endPoint, string[] oids)
    {
        (int _, string output, string error) = Peers.Run("snmpget",
            ["-v2c", "-c", "public", "-On", "-Ox", "-t", "2", "-r", "2", Address(endPoint), .. oids], TimeSpan.FromSeconds(30));
        return output + error;
    }
}
