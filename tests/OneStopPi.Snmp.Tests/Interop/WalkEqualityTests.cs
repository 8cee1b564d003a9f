using System.Globalization;
using System.Net;
using OneStopPi.Snmp.Text;
using OneStopPi.Snmp.Transport;
using OneStopPi.TestSupport;

namespace OneStopPi.Snmp.Tests.Interop.Walks;

/// <summary>
/// Issue 2: a walk of recordings served by snmpsim equals, as snmprec, what net-snmp's walk of the same
/// device gives (converted by walk2snmprec.py). Every recording in samples/walks is served twice:
/// SNMPv2c (127.0.90.1..) compared with <c>snmpbulkwalk</c>, and SNMPv1 without Counter64
/// (127.0.90.129..) compared with <c>snmpwalk -v1</c>. Both tools see the same snmpsim quirks
/// (shared/walks/FORMAT.md), so the outputs must match record for record.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
public sealed class WalkEqualityTests
{
    private const string V2cFleetStart = "127.0.90.1";
    private const string V1FleetStart = "127.0.90.129";
    private const string QuirksFleetStart = "127.0.90.127";
    private static readonly ObjectIdentifier Everything = "1";

    /// <summary>
    /// Both walkers wait the same, and long: the subject is what they read, not how fast; one single-threaded
    /// snmpsim serves every recording to the tests running side by side, and on a busy machine an answer can
    /// take seconds.
    /// </summary>
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(10);
    private const int PeerRetries = 3;
    private SnmpsimFleet? _v2c;
    private SnmpsimFleet? _v1;
    private SnmpsimFleet? _quirks;
    private SnmpClient? _client;

    /// <summary>
    /// SNMPv1 walks take one GETNEXT per object, twice (ours and net-snmp's), against a single-threaded
    /// simulator: compared for these recordings only, chosen for Counter64 (dropped in v1), size and quirks.
    /// </summary>
    private static readonly string[] V1Recordings = ["jetdirect", "okilan_9450g", "brother_hl-5350dn", "samsungprinter_m4080fx", "kyocera"];

    public static IEnumerable<TestCaseData> Recordings() =>
        RepoPaths.SampleRecordings().Select(path => new TestCaseData(Path.GetFileNameWithoutExtension(path)).SetArgDisplayNames(Path.GetFileNameWithoutExtension(path)));

    public static IEnumerable<TestCaseData> V1RecordingsPresent() =>
        Recordings().Where(c => V1Recordings.Contains((string)c.Arguments[0]!));

    [OneTimeSetUp]
    public async Task StartFleets()
    {
        Prerequisite.RequireFile("/usr/bin/snmpbulkwalk", "snmp"); // the other side of every comparison
        IReadOnlyList<string> recordings = RepoPaths.SampleRecordings();
        Assert.That(recordings.Count, Is.InRange(1, 126), "one address per recording in 127.0.90.1-126 and .129-254");
        Task<SnmpsimFleet> v2c = SnmpsimFleet.StartAsync("v2c", V2cFleetStart, recordings);
        Task<SnmpsimFleet> v1 = SnmpsimFleet.StartAsync("v1", V1FleetStart, [.. recordings.Where(r => V1Recordings.Contains(Path.GetFileNameWithoutExtension(r)))]);
        Task<SnmpsimFleet> quirks = SnmpsimFleet.StartAsync("v2c", QuirksFleetStart, [Path.Combine(RepoPaths.Peers, "walks-quirks", "okilan_9450g.snmprec")]);
        try
        {
            _v2c = await v2c;
        }
        finally
        {
            try
            {
                _v1 = await v1; // start all before failing, so the teardown stops all
            }
            finally
            {
                _quirks = await quirks;
            }
        }

        _client = new SnmpClient();
    }

    [OneTimeTearDown]
    public async Task StopFleets()
    {
        if (_client is not null)
        {
            TestContext.Progress.WriteLine($"walk client: {_client.Statistics}");
            await _client.DisposeAsync();
        }

        if (_v2c is not null)
        {
            await _v2c.DisposeAsync();
        }

        if (_v1 is not null)
        {
            await _v1.DisposeAsync();
        }

        if (_quirks is not null)
        {
            await _quirks.DisposeAsync();
        }
    }

    [TestCaseSource(nameof(Recordings))]
    public async Task V2c_walk_equals_snmpbulkwalk(string recording)
    {
        IPEndPoint endPoint = _v2c![recording];
        Task<List<string>> ours = WalkAsync(endPoint, SnmpVersion.V2c);
        Task<List<string>> theirs = NetSnmpWalkAsync("snmpbulkwalk", "2c", endPoint);
        await Task.WhenAll(ours, theirs);

        AssertSameRecords(recording, ours.Result, theirs.Result);
    }

    [TestCaseSource(nameof(V1RecordingsPresent))]
    public async Task V1_walk_equals_snmpwalk(string recording)
    {
        IPEndPoint endPoint = _v1![recording];
        Task<List<string>> ours = WalkAsync(endPoint, SnmpVersion.V1);
        Task<List<string>> theirs = NetSnmpWalkAsync("snmpwalk", "1", endPoint);
        await Task.WhenAll(ours, theirs);

        AssertSameRecords(recording, ours.Result, theirs.Result);
        Assert.That(ours.Result, Has.None.Contains("|70|"), "SNMPv1 has no Counter64");
    }

    [Test]
    public async Task A_record_snmpsim_cannot_serve_stops_both_walks_at_the_same_place()
    {
        // LibreNMS's original okilan_9450g has "Counter32 6git3159" as its 23rd record (tests/peers/walks-quirks).
        IPEndPoint endPoint = _quirks!["okilan_9450g"];
        Task<List<string>> ours = WalkAsync(endPoint, SnmpVersion.V2c);
        Task<List<string>> theirs = NetSnmpWalkAsync("snmpbulkwalk", "2c", endPoint);
        await Task.WhenAll(ours, theirs);

        AssertSameRecords("okilan_9450g (original)", ours.Result, theirs.Result);
        Assert.That(ours.Result, Has.Count.EqualTo(22), "the records before the typo");
    }

    private static void AssertSameRecords(string recording, List<string> ours, List<string> theirs)
    {
        TestContext.Out.WriteLine($"{recording}: {ours.Count} records (net-snmp: {theirs.Count})");
        Assert.Multiple(() =>
        {
            Assert.That(ours, Is.Not.Empty);
            Assert.That(ours, Is.EqualTo(theirs), $"first difference at record {FirstDifference(ours, theirs)}");
        });
    }

    private async Task<List<string>> WalkAsync(IPEndPoint endPoint, SnmpVersion version)
    {
        var target = new SnmpTarget(endPoint, new CommunityCredentials(version, "public")) { Timeout = PeerTimeout, Retries = PeerRetries };
        var records = new List<string>();
        await foreach (Varbind varbind in _client!.WalkAsync(target, Everything))
        {
            records.Add(SnmprecFormat.FormatRecord(varbind));
        }

        return records;
    }

    /// <summary>net-snmp's walk of .1, converted to sorted snmprec by walk2snmprec.py.</summary>
    private static async Task<List<string>> NetSnmpWalkAsync(string tool, string version, IPEndPoint endPoint)
    {
        ProcessResult walk = await ExternalProcess.RunAsync(tool, ["-v", version, "-c", "public", "-On", "-Oe",
            "-r", PeerRetries.ToString(CultureInfo.InvariantCulture), "-t", PeerTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture), endPoint.ToString(), ".1"],
            ExternalProcess.NoMibs, TimeSpan.FromSeconds(600));
        Assert.That(walk.ExitCode, Is.Zero, walk.ToString());
        string file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, walk.StandardOutput, System.Text.Encoding.Latin1);
            ProcessResult converted = await ExternalProcess.RunAsync("/usr/bin/python3", [Path.Combine(RepoPaths.WalkTools, "walk2snmprec.py"), file],
                timeout: TimeSpan.FromSeconds(60));
            Assert.That(converted.ExitCode, Is.Zero, converted.ToString());
            Assert.That(converted.StandardError, Does.Contain(" 0 skipped"), converted.StandardError);
            return [.. converted.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static int FirstDifference(List<string> a, List<string> b)
    {
        int i = 0;
        while (i < a.Count && i < b.Count && a[i] == b[i])
        {
            i++;
        }

        return i;
    }
}
