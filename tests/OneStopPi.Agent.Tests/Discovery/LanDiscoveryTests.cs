using System.Diagnostics;
using System.Net;
using System.Text.Json;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Discovery;

/// <summary>
/// Discovery against the simulated LAN (tests/peers/lan, --both): 50 printers, 100 ping-only hosts and
/// silent addresses in the flat 198.18.0.0/22, 200 printers behind a router in 198.19.0.0/16.
/// </summary>
[TestFixture]
[NonParallelizable]
[Category("Lan")]
public sealed class LanDiscoveryTests
{
    /// <summary>
    /// A hang guard for one scan, not a speed goal: a loaded machine may take minutes. How long the sweeps
    /// take is measured by scripts/bench-discovery (docs/benchmarks.md, "Discovery"); the times are printed here.
    /// </summary>
    internal static readonly TimeSpan Limit = TimeSpan.FromSeconds(300);

    /// <summary>
    /// The SNMP timeout for scans whose subject is what is read, not how fast: the simulated printers are one
    /// snmpsim process per segment on this machine's CPUs, so on a busy machine their answers take seconds
    /// (a real printer's do not get slower when the box is busy). The sweep's own default is 1 s.
    /// </summary>
    private static readonly string[] SlowPrinters = ["--timeout", "5000"];
    private static readonly string[] V3 = ["-v", "3", "-u", "fleetuser", "-a", "SHA", "-A", "authpass123", "-x", "AES", "-X", "privpass123"];
    private SimulatedLan _lan = null!;
    private string _work = null!;

    [OneTimeSetUp]
    public async Task BuildLan()
    {
        _lan = await SimulatedLan.BuildAsync("--both");
        _work = RepoPaths.NewRunDirectory("osp-discovery");
    }

    [OneTimeTearDown]
    public async Task RemoveLan()
    {
        if (_work is not null)
        {
            Directory.Delete(_work, recursive: true);
        }

        await SimulatedLan.TearDownAsync();
    }

    [TestCase(false, TestName = "Flat /22 with our ARP sweep: every printer once, ping hosts as non-printers, nothing where nothing lives")]
    [TestCase(true, TestName = "Flat /22 through the kernel (--no-arp): every printer once, ping hosts as non-printers, nothing where nothing lives")]
    public async Task Flat_22_every_printer_once_ping_hosts_as_non_printers_nothing_where_nothing_lives(bool noArp)
    {
        await SimulatedLan.FlushNeighboursAsync();
        long fullsBefore = SimulatedLan.TableFulls();
        var clock = Stopwatch.StartNew();
        ProcessResult run = await SimulatedLan.OnestoppiAsync(Limit, ["scan", "198.18.0.0/22", "--discover-only", "--json", "-", "--verbose", .. noArp ? new[] { "--no-arp" } : []]);
        clock.Stop();
        IReadOnlyDictionary<string, string> neighbours = await SimulatedLan.NeighboursAsync();
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        JsonElement[] found = SimulatedLan.ParseArray(run.StandardOutput);
        var byIp = found.ToDictionary(e => e.GetProperty("ip").GetString()!);
        LanHost[] printers = [.. _lan.Printers("flat")];
        LanHost[] ping = [.. _lan.Hosts.Where(h => h.Kind == "ping")];
        Assert.Multiple(() =>
        {
            Assert.That(printers, Has.Length.EqualTo(50));
            Assert.That(byIp.Keys, Is.EquivalentTo(printers.Concat(ping).Select(h => h.Address)), "exactly the manifest's live hosts, each once");
            foreach (LanHost printer in printers)
            {
                JsonElement e = byIp.GetValueOrDefault(printer.Address);
                Assert.That(e.ValueKind, Is.EqualTo(JsonValueKind.Object), $"printer {printer.Address} ({Path.GetFileName(printer.Recording)}) not found");
                if (e.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                Assert.That(e.GetProperty("snmp").GetBoolean() && e.GetProperty("printer").GetBoolean(), Is.True,
                    $"{printer.Address} ({Path.GetFileName(printer.Recording)}): {e}");
                Assert.That(e.GetProperty("mac").GetString(), Is.EqualTo(printer.Mac), printer.Address);
                Assert.That(e.GetProperty("reason").GetString(), Is.Not.Empty);
            }

            foreach (LanHost host in ping)
            {
                JsonElement e = byIp.GetValueOrDefault(host.Address);
                if (e.ValueKind == JsonValueKind.Object)
                {
                    Assert.That((e.GetProperty("icmp").GetBoolean(), e.GetProperty("snmp").GetBoolean(), e.GetProperty("printer").GetBoolean()),
                        Is.EqualTo((true, false, false)), host.Address);
                }
            }

            Assert.That(SimulatedLan.TableFulls(), Is.EqualTo(fullsBefore), "neighbour table overflowed");
            if (noArp)
            {
                Assert.That(run.StandardError, Does.Contain(" 0 ARP requests"), "--no-arp sends no ARP request of its own");
                Assert.That(neighbours.Keys.Except(byIp.Keys), Is.Not.Empty, "the kernel was asked for silent addresses (FAILED entries)");
            }
            else
            {
                Assert.That(run.StandardError, Does.Not.Contain(" 0 ARP requests"), "the on-link /22 is swept with ARP");
                Assert.That(neighbours.Keys.Except(byIp.Keys), Is.Empty,
                    "only live hosts got a neighbour entry: the kernel was never asked for a silent address (" + string.Join(", ", neighbours.Where(n => !byIp.ContainsKey(n.Key)).Take(5)) + ")");
            }
        });
        TestContext.Out.WriteLine($"flat /22 ({(noArp ? "kernel" : "ARP")}): {clock.Elapsed.TotalSeconds:F2} s, {found.Length} live");
    }

    [Test]
    public async Task Hosts_that_answer_nothing_but_ARP_are_listed_live_with_their_mac()
    {
        // The ping-only hosts stop answering echo (a sysctl of their own namespace, osp-ping): ARP is all they say.
        LanHost[] ping = [.. _lan.Hosts.Where(h => h.Kind == "ping")];
        await SetEchoIgnoredAsync("osp-ping", true);
        ProcessResult run;
        try
        {
            run = await SimulatedLan.OnestoppiAsync(Limit, "scan", "198.18.0.0/22", "--discover-only", "--json", "-");
        }
        finally
        {
            await SetEchoIgnoredAsync("osp-ping", false);
        }

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        var byIp = SimulatedLan.ParseArray(run.StandardOutput).ToDictionary(e => e.GetProperty("ip").GetString()!);
        Assert.Multiple(() =>
        {
            Assert.That(byIp.Keys, Is.EquivalentTo(_lan.Printers("flat").Concat(ping).Select(h => h.Address)), "still every live host, nothing else");
            foreach (LanHost host in ping)
            {
                JsonElement e = byIp.GetValueOrDefault(host.Address);
                Assert.That(e.ValueKind == JsonValueKind.Object
                    && (e.GetProperty("icmp").GetBoolean(), e.GetProperty("snmp").GetBoolean(), e.GetProperty("printer").GetBoolean()) == (false, false, false)
                    && e.GetProperty("mac").GetString() == host.Mac
                    && e.GetProperty("reason").GetString()!.Contains("ARP only", StringComparison.Ordinal), Is.True, $"{host.Address}: {e}");
            }
        });
    }

    private static async Task SetEchoIgnoredAsync(string netns, bool ignored)
    {
        ProcessResult set = await ExternalProcess.RunAsync("ip", ["netns", "exec", netns, "sysctl", "-q", "-w", $"net.ipv4.icmp_echo_ignore_all={(ignored ? 1 : 0)}"],
            timeout: TimeSpan.FromSeconds(10));
        Assert.That(set.ExitCode, Is.Zero, set.ToString());
    }

    [Test]
    public async Task Without_CAP_NET_RAW_the_sweep_falls_back_to_the_kernel_and_says_so()
    {
        long fullsBefore = SimulatedLan.TableFulls();
        ProcessResult run = await SimulatedLan.OnestoppiWithoutRawSocketsAsync(Limit, "scan", "198.18.0.0/22", "--discover-only", "--json", "-", "--verbose");
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        JsonElement[] found = SimulatedLan.ParseArray(run.StandardOutput);
        Assert.Multiple(() =>
        {
            Assert.That(found.Where(e => e.GetProperty("printer").GetBoolean()).Select(e => e.GetProperty("ip").GetString()),
                Is.EquivalentTo(_lan.Printers("flat").Select(h => h.Address)), "every printer, through the kernel");
            Assert.That(run.StandardError, Does.Contain("No ARP sweep on lan0"), "the fallback is said in the log");
            Assert.That(run.StandardError, Does.Contain("No raw ICMP socket"));
            Assert.That(SimulatedLan.TableFulls(), Is.EqualTo(fullsBefore), "neighbour table overflowed");
        });
    }

    [Test]
    public async Task Routed_printers_with_snmpv3_and_nothing_from_blackholed_addresses()
    {
        // A /18 of the routed /16 (16,382 addresses): every printer the manifest puts there, and nothing else.
        LanHost[] expected = [.. _lan.Printers("routed").Where(h => IPAddress.Parse(h.Address).GetAddressBytes()[2] < 64)];
        var clock = Stopwatch.StartNew();
        ProcessResult run = await SimulatedLan.OnestoppiAsync(Limit, ["scan", "198.19.0.0/18", "--discover-only", "--json", "-", .. V3]);
        clock.Stop();
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        JsonElement[] found = SimulatedLan.ParseArray(run.StandardOutput);
        Assert.Multiple(() =>
        {
            Assert.That(expected, Is.Not.Empty);
            Assert.That(found.Select(e => e.GetProperty("ip").GetString()), Is.EquivalentTo(expected.Select(h => h.Address)));
            Assert.That(found.All(e => e.GetProperty("printer").GetBoolean() && e.GetProperty("icmp").GetBoolean() && e.GetProperty("mac").ValueKind == JsonValueKind.Null),
                Is.True, "routed printers answer ICMP and SNMPv3, with no MAC (behind a router)");
        });
        TestContext.Out.WriteLine($"routed /18: {clock.Elapsed.TotalSeconds:F2} s, {found.Length} printers");
    }

    [Test]
    public async Task Snmpv3_refusal_is_still_a_live_snmp_host()
    {
        LanHost printer = _lan.Printers("routed").First();
        ProcessResult run = await SimulatedLan.OnestoppiAsync(Limit, "scan", printer.Address + "/32", "--discover-only", "--json", "-", "--no-icmp",
            "-v", "3", "-u", "nosuchuser", "-a", "SHA", "-A", "whatever123");
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        JsonElement e = SimulatedLan.ParseArray(run.StandardOutput).Single();
        Assert.Multiple(() =>
        {
            Assert.That(e.GetProperty("snmp").GetBoolean(), Is.True);
            Assert.That(e.GetProperty("icmp").GetBoolean(), Is.False, "--no-icmp");
            Assert.That(e.GetProperty("printer").GetBoolean(), Is.False, "nothing could be read");
            Assert.That(e.GetProperty("reason").GetString(), Does.Contain("SNMPv3"));
        });
    }

    [Test]
    public async Task Two_addresses_one_device_and_a_moved_device_is_rehomed()
    {
        // The routed segment goes on from recording 50 and cycles, so some routed printers serve the same
        // recording as a flat one: the same printer (vendor + serial) answering on two addresses.
        var flatByRecording = _lan.Printers("flat").GroupBy(h => h.Recording).ToDictionary(g => g.Key, g => g.First());
        (LanHost Flat, LanHost Routed)[] pairs = [.. _lan.Printers("routed").Where(r => flatByRecording.ContainsKey(r.Recording)).Select(r => (flatByRecording[r.Recording], r))];
        ProcessResult probe = await SimulatedLan.OnestoppiAsync(Limit, ["scan", .. pairs.SelectMany(p => new[] { p.Flat.Address + "/32", p.Routed.Address + "/32" }), "--discover-only", "--json", "-", "--verbose", .. SlowPrinters]);
        Assert.That(probe.ExitCode, Is.Zero, probe.ToString());
        var serials = SimulatedLan.ParseArray(probe.StandardOutput).ToDictionary(e => e.GetProperty("ip").GetString()!, e => e.GetProperty("serial").GetString());
        (LanHost Flat, LanHost Routed)[] twins = [.. pairs.Where(p => serials.GetValueOrDefault(p.Flat.Address) is { } s && serials.GetValueOrDefault(p.Routed.Address) == s)];
        Assert.That(twins, Is.Not.Empty, $"no pair read with one serial on both addresses: {string.Join(", ", pairs.Take(8).Select(p =>
            $"{p.Flat.Address}={serials.GetValueOrDefault(p.Flat.Address) ?? "?"}/{p.Routed.Address}={serials.GetValueOrDefault(p.Routed.Address) ?? "?"}"))}\n{probe.StandardError}");
        (LanHost flat, LanHost routed) = twins[0];
        string serial = serials[flat.Address]!;

        // Two addresses: one reading, one registry entry listing both.
        string registry = Path.Combine(_work, "devices.json");
        ProcessResult scan = await SimulatedLan.OnestoppiAsync(Limit, ["scan", flat.Address + "/32", routed.Address + "/32", "--registry", registry, "--json", "-", .. SlowPrinters]);
        Assert.That(scan.ExitCode, Is.Zero, scan.ToString());
        JsonElement[] readings = SimulatedLan.ParseArray(scan.StandardOutput);
        JsonElement[] devices = [.. JsonDocument.Parse(File.ReadAllText(registry)).RootElement.GetProperty("devices").EnumerateArray()];
        Assert.Multiple(() =>
        {
            Assert.That(readings, Has.Length.EqualTo(1), "one reading for the printer with two addresses");
            Assert.That(readings[0].GetProperty("serial").GetString(), Is.EqualTo(serial));
            Assert.That(devices, Has.Length.EqualTo(1));
            Assert.That(devices[0].GetProperty("addresses").EnumerateArray().Select(a => a.GetString()), Is.EquivalentTo(new[] { flat.Address, routed.Address }));
        });

        // Moved: the registry says the printer was at a silent address; the sweep finds it elsewhere and re-homes it.
        string silent = _lan.Hosts.First(h => h.Kind == "silent-sample" && h.Segment == "flat").Address;
        string key = devices[0].GetProperty("key").GetString()!;
        File.WriteAllText(registry, $$"""
            {"version":1,"devices":[{"key":"{{key}}","vendor":{{JsonSerializer.Serialize(devices[0].GetProperty("vendor").GetString())}},"serial":"{{serial}}","ip":"{{silent}}","port":161,"addresses":["{{silent}}"],"credentialIndex":0,"firstSeen":"2026-01-01T00:00:00+00:00","lastSeen":"2026-01-01T00:00:00+00:00"}]}
            """);
        ProcessResult moved = await SimulatedLan.OnestoppiAsync(Limit, ["scan", flat.Address + "/32", silent + "/32", "--registry", registry, "--discover-only", "--json", "-", .. SlowPrinters]);
        Assert.That(moved.ExitCode, Is.Zero, moved.ToString());
        JsonElement[] after = [.. JsonDocument.Parse(File.ReadAllText(registry)).RootElement.GetProperty("devices").EnumerateArray()];
        Assert.Multiple(() =>
        {
            Assert.That(after, Has.Length.EqualTo(1), "re-homed, not duplicated");
            Assert.That(after[0].GetProperty("ip").GetString(), Is.EqualTo(flat.Address));
            Assert.That(after[0].GetProperty("firstSeen").GetString(), Does.StartWith("2026-01-01"));
            Assert.That(Directory.GetFiles(_work, "*.tmp"), Is.Empty, "written atomically, no temporary left");
        });
    }
}

/// <summary>The neighbour table is one per machine (1,024 entries by default): a /21 sweep must not overflow it.</summary>
[TestFixture]
[NonParallelizable]
[Category("Lan")]
public sealed class NeighbourTableOverflowTests
{
    private SimulatedLan _lan = null!;

    [OneTimeSetUp]
    public async Task BuildLan() => _lan = await SimulatedLan.BuildAsync("--flat", "--flat-prefix", "21");

    [OneTimeTearDown]
    public Task RemoveLan() => SimulatedLan.TearDownAsync();

    [TestCase(false, TestName = "Flat /21 with our ARP sweep never overflows the neighbour table and finds every printer")]
    [TestCase(true, TestName = "Flat /21 through the kernel (--no-arp, paced) never overflows the neighbour table and finds every printer")]
    public async Task Flat_21_sweep_never_overflows_and_finds_every_printer(bool noArp)
    {
        long fullsBefore = SimulatedLan.TableFulls();
        var clock = Stopwatch.StartNew();
        ProcessResult run = await SimulatedLan.OnestoppiAsync(LanDiscoveryTests.Limit,
            ["scan", "198.18.0.0/21", "--discover-only", "--json", "-", "--verbose", .. noArp ? new[] { "--no-arp" } : []]);
        clock.Stop();
        long fullsAfter = SimulatedLan.TableFulls();
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        JsonElement[] found = SimulatedLan.ParseArray(run.StandardOutput);
        Assert.Multiple(() =>
        {
            Assert.That(fullsAfter - fullsBefore, Is.Zero, "table_fulls went up: " + run.StandardError);
            Assert.That(found.Where(e => e.GetProperty("printer").GetBoolean()).Select(e => e.GetProperty("ip").GetString()),
                Is.EquivalentTo(_lan.Printers("flat").Select(h => h.Address)));
            Assert.That(found.Count(e => !e.GetProperty("printer").GetBoolean() && e.GetProperty("icmp").GetBoolean()), Is.EqualTo(100));
        });
        TestContext.Out.WriteLine($"flat /21: {clock.Elapsed.TotalSeconds:F2} s; {run.StandardError}");
    }
}
