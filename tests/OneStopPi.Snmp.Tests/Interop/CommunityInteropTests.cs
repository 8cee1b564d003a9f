using System.Net;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Snmp.Tests.Interop.V3Matrix;

/// <summary>
/// SNMPv1 and SNMPv2c against the same peers, with a community list whose first entry is wrong: the
/// library gives a typed timeout for the wrong one (agents stay silent, RFC 3584 4.1) and the next
/// community then answers on the same socket. The CLI's --community list is tested in OneStopPi.Agent.Tests.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
public sealed class CommunityInteropTests
{
    private static readonly ObjectIdentifier SysDescr = "1.3.6.1.2.1.1.1.0";
    private static readonly ObjectIdentifier SuppliesLevel = "1.3.6.1.2.1.43.11.1.1.9.1.1";

    public static IEnumerable<TestCaseData> Peers()
    {
        foreach (SnmpVersion version in new[] { SnmpVersion.V1, SnmpVersion.V2c })
        {
            yield return new TestCaseData(version, V3MatrixCells.Snmpd).SetName($"{version} snmpd");
            yield return new TestCaseData(version, V3MatrixCells.SimulatorAllUsers).SetName($"{version} snmpsim-all");
            yield return new TestCaseData(version, V3MatrixCells.SimulatorSingle(V3MatrixCells.Combinations[10])).SetName($"{version} snmpsim-11");
        }
    }

    [TestCaseSource(nameof(Peers))]
    public async Task First_community_wrong_second_right(SnmpVersion version, V3Peer peer)
    {
        (string community, IReadOnlyList<Varbind> varbinds, List<string> timedOut) = await FirstAnsweringAsync(peer.EndPoint, version, ["not-public", "public"]);

        Assert.Multiple(() =>
        {
            Assert.That(timedOut, Is.EqualTo(new[] { "not-public" }));
            Assert.That(community, Is.EqualTo("public"));
            Assert.That(varbinds[0].Value.AsText(), Does.Contain("SNMPPROBE"));
            Assert.That(varbinds[1].Value, Is.EqualTo(SnmpValue.Integer32(6500)));
        });
    }

    [TestCaseSource(nameof(Peers))]
    public void Every_community_wrong_is_the_last_timeout(SnmpVersion version, V3Peer peer)
    {
        Assert.ThrowsAsync<SnmpTimeoutException>(async () => await FirstAnsweringAsync(peer.EndPoint, version, ["wrong-1", "wrong-2"]));
    }

    [TestCase(SnmpVersion.V1)]
    [TestCase(SnmpVersion.V2c)]
    public async Task Missing_object_is_NoSuchObject_in_both_versions(SnmpVersion version)
    {
        // snmpd answers SNMPv1 with noSuchName (RFC 1157); the library gives the v2 exception for that OID only.
        var target = new SnmpTarget(V3MatrixCells.Snmpd.EndPoint, new CommunityCredentials(version, "public")) { Timeout = TimeSpan.FromSeconds(10) };
        IReadOnlyList<Varbind> varbinds = await V3MatrixSetUp.Client.GetAsync(target, [SysDescr, "1.3.6.1.2.1.43.99.0", SuppliesLevel]);
        Assert.Multiple(() =>
        {
            Assert.That(varbinds[1].Value.IsException, Is.True);
            Assert.That(varbinds[1].Value.Type, Is.EqualTo(version == SnmpVersion.V1 ? SnmpValueType.NoSuchObject : SnmpValueType.NoSuchObject).Or.EqualTo(SnmpValueType.NoSuchInstance));
            Assert.That(varbinds[2].Value, Is.EqualTo(SnmpValue.Integer32(6500)));
        });
    }

    private static async Task<(string Community, IReadOnlyList<Varbind> Varbinds, List<string> TimedOut)> FirstAnsweringAsync(IPEndPoint endPoint, SnmpVersion version, string[] communities)
    {
        var timedOut = new List<string>();
        SnmpTimeoutException? last = null;
        foreach (string community in communities)
        {
            // The wrong community's silence is what is tested, not the timeout's length: the right one must have
            // time to answer on a busy machine.
            var target = new SnmpTarget(endPoint, new CommunityCredentials(version, community)) { Timeout = TimeSpan.FromSeconds(3), Retries = 0 };
            try
            {
                return (community, await V3MatrixSetUp.Client.GetAsync(target, [SysDescr, SuppliesLevel]), timedOut);
            }
            catch (SnmpTimeoutException e)
            {
                timedOut.Add(community);
                last = e;
            }
        }

        throw last!;
    }
}
