using OneStopPi.Snmp.Transport;

namespace OneStopPi.Snmp.Tests.Interop.V3Matrix;

/// <summary>
/// Every cell of the SNMPv3 interop matrix (tests/peers/snmpv3, issue 2): noAuthNoPriv and
/// MD5/SHA/SHA-224/256/384/512 x none/DES/3DES/AES-128/AES-192/AES-256 (both key extensions),
/// against snmpd, snmpsim's all-users engine and snmpsim's single-user engine, with context "" and
/// "printer". One named test per cell; all cells in flight together on one shared client.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
public sealed class V3MatrixTests
{
    private static readonly ObjectIdentifier SysDescr = "1.3.6.1.2.1.1.1.0";
    private static readonly ObjectIdentifier SuppliesLevel = "1.3.6.1.2.1.43.11.1.1.9.1.1";

    [TestCaseSource(typeof(V3MatrixCells), nameof(V3MatrixCells.Cells))]
    public async Task Reads_the_printer(V3Peer peer, V3Combination combination, string context)
    {
        var target = new SnmpTarget(peer.EndPoint, combination.Credentials(context)) { Timeout = TimeSpan.FromSeconds(10), Retries = 2 }; // one snmpsim serves every cell at once: slow on a busy machine

        IReadOnlyList<Varbind> varbinds = await V3MatrixSetUp.Client.GetAsync(target, [SysDescr, SuppliesLevel]);

        Assert.Multiple(() =>
        {
            Assert.That(varbinds.Select(v => v.Oid), Is.EqualTo(new[] { SysDescr, SuppliesLevel }));
            Assert.That(varbinds[0].Value.Type, Is.EqualTo(SnmpValueType.OctetString));
            Assert.That(varbinds[0].Value.AsText(), Does.Contain("SNMPPROBE"));
            Assert.That(varbinds[1].Value, Is.EqualTo(SnmpValue.Integer32(6500)));
        });
    }

    [Test]
    public void The_matrix_is_the_one_the_peers_were_started_with()
    {
        string[] tsv = File.ReadAllLines(Path.Combine(V3MatrixSetUp.RunDirectory, "combos.tsv"));
        Assert.Multiple(() =>
        {
            Assert.That(tsv, Is.EqualTo(V3MatrixCells.Combinations.Select(c => $"{c.Index}\t{c.User}\t{c.Auth}\t{c.Priv}")));
            Assert.That(V3MatrixCells.Combinations, Has.Count.EqualTo(49));
            Assert.That(V3MatrixCells.Cells().Count(), Is.EqualTo(2 * (43 + 49 + 49)), "snmpd lacks the six 3DES users");
        });
    }
}
