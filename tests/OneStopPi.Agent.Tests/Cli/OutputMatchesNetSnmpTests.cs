using System.Globalization;
using System.Net;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Cli;

/// <summary>
/// <c>onestoppi get</c>/<c>walk</c> print what net-snmp's <c>snmpget -On</c>/<c>snmpwalk -On</c> print for the
/// same device, line for line, except the differences documented in docs/snmp.md (see <see cref="NetSnmpText"/>).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
public sealed class OutputMatchesNetSnmpTests
{
    private const string Auth = "authpass-1234";
    private const string Priv = "privpass-5678";

    public static IEnumerable<TestCaseData> Devices() => CliPeers.Devices.Select(d => new TestCaseData(d).SetArgDisplayNames(d));

    [TestCaseSource(nameof(Devices))]
    public async Task Get_matches_snmpget(string device)
    {
        string address = CliPeers.V2cFleet[device].Address.ToString();
        string[] oids = [.. RecordedOids(device).Take(30).Select(o => "." + o), ".1.3.6.1.2.1.1.99.0", ".1.3.6.1.4.1.99999.1.0"];

        ProcessResult ours = await Onestoppi.RunAsync(["get", address, .. oids, "--timeout", "3000"]);
        ProcessResult theirs = await NetSnmp.RunAsync("snmpget", ["-v2c", "-c", "public", "-On", "-t", "3", address, .. oids]);

        AssertSameOutput(ours, theirs, expectedRecords: oids.Length);
    }

    [TestCaseSource(nameof(Devices))]
    public async Task Walk_matches_snmpbulkwalk(string device)
    {
        // snmpbulkwalk prints with the same code as snmpwalk, in fewer requests than GETNEXT.
        string address = CliPeers.V2cFleet[device].Address.ToString();

        ProcessResult ours = await Onestoppi.RunAsync("walk", address); // default root 1.3.6.1
        ProcessResult theirs = await NetSnmp.RunAsync("snmpbulkwalk", "-v2c", "-c", "public", "-On", "-t", "3", address, ".1.3.6.1");

        AssertSameOutput(ours, theirs, expectedRecords: RecordedOids(device).Count);
    }

    [TestCaseSource(nameof(Devices))]
    public async Task Walk_of_a_subtree_matches_snmpwalk(string device)
    {
        string address = CliPeers.V2cFleet[device].Address.ToString();

        ProcessResult ours = await Onestoppi.RunAsync("walk", address, ".1.3.6.1.2.1.2", "--max-repetitions", "7");
        ProcessResult theirs = await NetSnmp.RunAsync("snmpwalk", "-v2c", "-c", "public", "-On", "-t", "3", address, ".1.3.6.1.2.1.2");

        AssertSameOutput(ours, theirs, expectedRecords: RecordedOids(device).Count(o => o.StartsWith("1.3.6.1.2.1.2.", StringComparison.Ordinal)));
    }

    /// <summary>GETNEXT walks take one request per object: the small recordings only.</summary>
    [TestCase("brother_dcp-1618w")]
    [TestCase("brother_hl-5350dn")]
    [TestCase("samsungprinter_m4080fx")]
    public async Task V1_walk_matches_snmpwalk(string device)
    {
        string address = CliPeers.V1Fleet[device].Address.ToString();

        ProcessResult ours = await Onestoppi.RunAsync("walk", address, "--snmp-version", "1");
        ProcessResult theirs = await NetSnmp.RunAsync("snmpwalk", "-v1", "-c", "public", "-On", "-t", "3", address, ".1.3.6.1");

        AssertSameOutput(ours, theirs, expectedRecords: RecordedOids(device).Count);
        Assert.That(theirs.StandardOutput, Does.EndWith("End of MIB\n"), "the v1 trailer that NetSnmpText drops");
    }

    [TestCase("", TestName = "V3_get_matches_snmpget_context_default")]
    [TestCase("printer", TestName = "V3_get_matches_snmpget_context_printer")]
    public async Task V3_get_matches_snmpget(string context)
    {
        string[] oids = [".1.3.6.1.2.1.1.1.0", ".1.3.6.1.2.1.1.2.0", ".1.3.6.1.2.1.43.11.1.1.9.1.1", ".1.3.6.1.2.1.43.10.2.1.4.1.1", ".1.3.6.1.2.1.25.3.2.1.2.1", ".1.3.6.1.2.1.43.99.0"];
        string target = $"{CliPeers.Snmpd.Address}:{CliPeers.Snmpd.Port}";

        ProcessResult ours = await Onestoppi.RunAsync(["get", target, .. oids, "-v", "3", "-u", "u_sha256_aes256r", "-a", "SHA256", "-A", Auth, "-x", "AES256C", "-X", Priv, "-n", context]);
        ProcessResult theirs = await NetSnmp.RunAsync("snmpget", ["-v3", "-l", "authPriv", "-u", "u_sha256_aes256r", "-a", "SHA-256", "-A", Auth, "-x", "AES-256-C", "-X", Priv, "-n", context, "-On", target, .. oids]);

        AssertSameOutput(ours, theirs, expectedRecords: oids.Length);
    }

    [Test]
    public async Task V3_walk_matches_snmpwalk()
    {
        string target = $"{CliPeers.Snmpd.Address}:{CliPeers.Snmpd.Port}";

        ProcessResult ours = await Onestoppi.RunAsync("walk", target, ".1.3.6.1.2.1.43", "-v", "3", "-u", "u_md5_des", "-a", "MD5", "-A", Auth, "-x", "DES", "-X", Priv);
        ProcessResult theirs = await NetSnmp.RunAsync("snmpwalk", "-v3", "-l", "authPriv", "-u", "u_md5_des", "-a", "MD5", "-A", Auth, "-x", "DES", "-X", Priv, "-On", target, ".1.3.6.1.2.1.43");

        AssertSameOutput(ours, theirs, expectedRecords: 6); // the six Printer-MIB overrides
    }

    [Test]
    public async Task Walk_of_a_leaf_prints_the_leaf_as_snmpwalk_does()
    {
        string address = CliPeers.V2cFleet["zebra"].Address.ToString();
        ProcessResult ours = await Onestoppi.RunAsync("walk", address, ".1.3.6.1.2.1.1.5.0");
        ProcessResult theirs = await NetSnmp.RunAsync("snmpwalk", "-v2c", "-c", "public", "-On", address, ".1.3.6.1.2.1.1.5.0");
        AssertSameOutput(ours, theirs, expectedRecords: 1);
    }

    [Test]
    public async Task V1_get_of_a_missing_object_prints_No_Such_Object_where_snmpget_fails_the_packet()
    {
        // Kept difference (docs/snmp.md): an SNMPv1 agent answers noSuchName for the whole request. snmpget prints
        // the other varbinds, "Error in packet ... Failed object" on stderr and exits 2; we print the missing one
        // as SNMPv2 would ("No Such Object ...") and exit 0, the same output for every version.
        string address = CliPeers.V1Fleet["zebra"].Address.ToString();
        string[] oids = [".1.3.6.1.2.1.1.1.0", ".1.3.6.1.2.1.43.11.1.1.9.1.1", ".1.3.6.1.2.1.1.5.0"];

        ProcessResult ours = await Onestoppi.RunAsync(["get", address, .. oids, "-v", "1"]);
        ProcessResult theirs = await NetSnmp.RunAsync("snmpget", ["-v1", "-c", "public", "-On", address, .. oids]);

        List<string> ourRecords = NetSnmpText.Records(ours.StandardOutput);
        Assert.Multiple(() =>
        {
            Assert.That(theirs.ExitCode, Is.EqualTo(2));
            Assert.That(theirs.StandardError, Does.Contain("Failed object: .1.3.6.1.2.1.43.11.1.1.9.1.1"));
            Assert.That(ours.ExitCode, Is.Zero, ours.ToString());
            Assert.That(ourRecords[1], Is.EqualTo(".1.3.6.1.2.1.43.11.1.1.9.1.1 = No Such Object available on this agent at this OID"));
            Assert.That(ourRecords.Where((_, i) => i != 1), Is.EqualTo(NetSnmpText.Records(theirs.StandardOutput)));
        });
    }

    private static void AssertSameOutput(ProcessResult ours, ProcessResult theirs, int? expectedRecords)
    {
        Assert.That(theirs.ExitCode, Is.Zero, $"net-snmp: {theirs}");
        Assert.That(ours.ExitCode, Is.Zero, $"onestoppi: {ours}");
        List<string> ourRecords = NetSnmpText.Records(ours.StandardOutput);
        List<string> theirRecords = NetSnmpText.Records(theirs.StandardOutput);
        string[] ourLines = ours.StandardOutput.Split('\n');

        Assert.Multiple(() =>
        {
            Assert.That(ours.StandardError, Is.Empty);
            Assert.That(ourRecords, Is.EqualTo(theirRecords));
            if (expectedRecords is { } count)
            {
                Assert.That(ourRecords, Has.Count.EqualTo(count));
            }

            // Our own form: one line per varbind unless the value holds a line feed, never a trailing space.
            Assert.That(ourLines.Where(l => l.EndsWith(' ')), Is.Empty);
            Assert.That(ourRecords.Where(r => r.Contains(" = Hex-STRING: ", StringComparison.Ordinal) && r.Contains('\n', StringComparison.Ordinal)), Is.Empty);
            Assert.That(ours.StandardOutput, Does.Not.Contain("No more variables").And.Not.Contain("End of MIB"));
        });
    }

    /// <summary>The OIDs a recording holds, in its (sorted) order.</summary>
    private static List<string> RecordedOids(string device) =>
        [.. File.ReadLines(CliPeers.Recording(device)).Where(l => l.Length > 0 && l[0] != '#').Select(l => l[..l.IndexOf('|', StringComparison.Ordinal)])];

    internal static string Port(IPEndPoint endPoint) => endPoint.Port.ToString(CultureInfo.InvariantCulture);
}
