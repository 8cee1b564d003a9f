using System.Net;
using OneStopPi.Collection.Discovery;

namespace OneStopPi.Collection.Tests.Discovery;

public sealed class NeighbourTableTests
{
    // Two CPUs as the kernel prints them (Linux 6.x): entries is machine-wide, the rest per CPU.
    private const string ArpCache =
        "entries  allocs   destroys hash_grows lookups  hits     res_failed rcv_probes_mcast rcv_probes_ucast periodic_gc_runs forced_gc_runs unresolved_discards table_fulls\n" +
        "0000049a 00000302 00000001 00000003   000007bd 00000002 00000236   00000000         00000000         00000110         00000001       00000005            000003fd\n" +
        "0000049a 00000034 00000000 00000003   000000e5 00000077 00000000   00000000         00000000         00000000         00000000       00000001            00000002\n";

    [Test]
    public void Stats_sum_per_cpu_counters_but_not_entries()
    {
        NeighbourStats? stats = NeighbourStats.Parse(ArpCache);
        Assert.That(stats, Is.EqualTo(new NeighbourStats(0x49a, 0x3fd + 2, 6)));
    }

    [TestCase("")]
    [TestCase("entries allocs\n")]
    [TestCase("foo bar\n1 2\n")]
    [TestCase("entries table_fulls\nzz 1\n")]
    public void Stats_unreadable_is_null(string text) => Assert.That(NeighbourStats.Parse(text), Is.Null);

    [Test]
    public void Arp_rows_complete_and_not()
    {
        const string text =
            "IP address       HW type     Flags       HW address            Mask     Device\n" +
            "198.18.0.4       0x1         0x2         02:50:c6:12:00:04     *        lan0\n" +
            "198.18.0.9       0x1         0x0         00:00:00:00:00:00     *        lan0\n" +
            "198.18.0.7       0x1         0x6         02:50:C6:12:00:07     *        lan0\n";
        IReadOnlyList<NeighbourEntry> rows = ProcNeighbourTable.ParseArp(text);
        Assert.That(rows, Is.EqualTo(new[]
        {
            new NeighbourEntry(IPAddress.Parse("198.18.0.4"), "02:50:c6:12:00:04", true, "lan0"),
            new NeighbourEntry(IPAddress.Parse("198.18.0.9"), null, false, "lan0"),
            new NeighbourEntry(IPAddress.Parse("198.18.0.7"), "02:50:c6:12:00:07", true, "lan0"),
        }));
    }

    [Test]
    public void Proc_root_inside_a_namespace_falls_back_to_pid_1()
    {
        string root = Path.Combine(Path.GetTempPath(), "osp-proc-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "1/net/stat"));
            Directory.CreateDirectory(Path.Combine(root, "net"));
            Directory.CreateDirectory(Path.Combine(root, "sys/net/ipv4/neigh/lan0"));
            File.WriteAllText(Path.Combine(root, "1/net/stat/arp_cache"), ArpCache);
            File.WriteAllText(Path.Combine(root, "sys/net/ipv4/neigh/lan0/mcast_solicit"), "3\n");
            File.WriteAllText(Path.Combine(root, "sys/net/ipv4/neigh/lan0/retrans_time_ms"), "1000\n");
            var table = new ProcNeighbourTable(root);
            Assert.Multiple(() =>
            {
                Assert.That(table.StatsPath, Is.EqualTo(Path.Combine(root, "1/net/stat/arp_cache")));
                Assert.That(table.ReadStats()?.TableFulls, Is.EqualTo(0x3ff));
                Assert.That(table.Capacity, Is.EqualTo(ProcNeighbourTable.DefaultCapacity), "no gc_thresh3 inside a namespace");
                Assert.That(table.ResolveTime("lan0"), Is.EqualTo(TimeSpan.FromSeconds(3)));
                Assert.That(table.ReadEntries(), Is.Empty);
            });
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
