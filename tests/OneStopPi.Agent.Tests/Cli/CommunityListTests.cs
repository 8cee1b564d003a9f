using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Cli;

/// <summary>
/// <c>--community</c> is repeatable: tried in order, a timeout moves on to the next; all silent is a timeout.
/// Where the right community follows a wrong one, the timeout is generous (2 s): its length is not what is
/// tested, and the peer's answer to the right one must not miss it on a busy machine (300 ms did, under load).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
public sealed class CommunityListTests
{
    private const string SysDescr = ".1.3.6.1.2.1.1.1.0";
    private const string SysName = ".1.3.6.1.2.1.1.5.0";

    public static IEnumerable<TestCaseData> Targets()
    {
        foreach (string version in new[] { "1", "2c" })
        {
            yield return new TestCaseData(version, "snmpd").SetArgDisplayNames(version, "snmpd");
            yield return new TestCaseData(version, "snmpsim").SetArgDisplayNames(version, "snmpsim");
        }
    }

    /// <summary>snmpd, or the zebra recording on the fleet for that version (fleets start after test discovery).</summary>
    private static string Address(string version, string peer) => peer == "snmpd"
        ? $"{CliPeers.Snmpd.Address}:{CliPeers.Snmpd.Port}"
        : (version == "1" ? CliPeers.V1Fleet : CliPeers.V2cFleet)["zebra"].Address.ToString();

    [TestCaseSource(nameof(Targets))]
    public async Task Get_with_the_first_community_wrong(string version, string peer)
    {
        string target = Address(version, peer);
        ProcessResult ours = await Onestoppi.RunAsync("get", target, SysDescr, SysName, "-v", version, "-c", "not-public", "-c", "public", "--timeout", "2000", "--retries", "0");
        ProcessResult theirs = await NetSnmp.RunAsync("snmpget", "-v", version, "-c", "public", "-On", target, SysDescr, SysName);
        Assert.Multiple(() =>
        {
            Assert.That(ours.ExitCode, Is.Zero, ours.ToString());
            Assert.That(ours.StandardError, Is.Empty);
            Assert.That(NetSnmpText.Records(ours.StandardOutput), Is.EqualTo(NetSnmpText.Records(theirs.StandardOutput)));
            Assert.That(NetSnmpText.Records(ours.StandardOutput), Has.Count.EqualTo(2));
        });
    }

    [TestCaseSource(nameof(Targets))]
    public async Task Walk_with_the_first_community_wrong(string version, string peer)
    {
        string target = Address(version, peer);
        ProcessResult ours = await Onestoppi.RunAsync("walk", target, ".1.3.6.1.2.1.1", "-v", version, "-c", "not-public", "-c", "public", "--timeout", "2000", "--retries", "0");
        ProcessResult theirs = await NetSnmp.RunAsync("snmpwalk", "-v", version, "-c", "public", "-On", target, ".1.3.6.1.2.1.1");
        List<string> ourRecords = NetSnmpText.Records(ours.StandardOutput);
        Assert.Multiple(() =>
        {
            Assert.That(ours.ExitCode, Is.Zero, ours.ToString());
            Assert.That(ourRecords, Is.Not.Empty);
            // snmpd's sysUpTime ticks between the two walks; compare everything else
            Assert.That(ourRecords.Where(r => !r.StartsWith(".1.3.6.1.2.1.1.3.0 ", StringComparison.Ordinal)),
                Is.EqualTo(NetSnmpText.Records(theirs.StandardOutput).Where(r => !r.StartsWith(".1.3.6.1.2.1.1.3.0 ", StringComparison.Ordinal))));
        });
    }

    [TestCaseSource(nameof(Targets))]
    public async Task Every_community_wrong_is_a_timeout(string version, string peer)
    {
        string target = Address(version, peer);
        ProcessResult ours = await Onestoppi.RunAsync("get", target, SysDescr, "-v", version, "-c", "wrong-1", "-c", "wrong-2", "--timeout", "200", "--retries", "0");
        Assert.Multiple(() =>
        {
            Assert.That(ours.ExitCode, Is.EqualTo(1));
            Assert.That(ours.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1));
            Assert.That(ours.StandardError, Does.StartWith("onestoppi: timeout:"));
        });
    }
}
