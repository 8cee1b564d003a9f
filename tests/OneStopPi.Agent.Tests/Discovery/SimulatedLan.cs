using System.Globalization;
using System.Text.Json;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Discovery;

/// <summary>One row of the simulated LAN's manifest.tsv.</summary>
internal sealed record LanHost(string Address, string Kind, string Recording, string Segment, string? Mac, string Udp161);

/// <summary>
/// The simulated printer LAN of tests/peers/lan (network namespaces, 198.18.0.0/15 only): built by
/// make-lan.sh, always removed by teardown.sh. The agent under test runs inside <c>osp-scan</c>.
/// Root only: without it the fixture is ignored with the reason.
/// </summary>
internal sealed class SimulatedLan
{
    public const string StateDirectory = "/run/osp-lan";
    private static readonly string Scripts = Path.Combine(RepoPaths.Peers, "lan");

    private SimulatedLan(IReadOnlyList<LanHost> hosts) => Hosts = hosts;

    public IReadOnlyList<LanHost> Hosts { get; }

    public IEnumerable<LanHost> Printers(string segment) => Hosts.Where(h => h.Kind == "printer" && h.Segment == segment);

    public static async Task<SimulatedLan> BuildAsync(params string[] options)
    {
        Prerequisite.RequireRoot("the simulated LAN is built of network namespaces, veth pairs and daemons on UDP 161");

        ProcessResult built = await ExternalProcess.RunAsync(Path.Combine(Scripts, "make-lan.sh"),
            ["--replace", "--recordings", RepoPaths.SampleWalks, .. options], timeout: TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        if (built.ExitCode == 5)
        {
            Prerequisite.Missing("make-lan.sh: a package is missing (iproute2 snmpsim python3): " + built.StandardError);
        }

        Assert.That(built.ExitCode, Is.Zero, built.ToString());
        var hosts = new List<LanHost>();
        foreach (string line in File.ReadLines(Path.Combine(StateDirectory, "manifest.tsv")).Skip(1))
        {
            string[] f = line.Split('\t');
            if (f.Length >= 6)
            {
                hosts.Add(new LanHost(f[0], f[1], f[2], f[3], f[4] == "-" ? null : f[4], f[5]));
            }
        }

        return new SimulatedLan(hosts);
    }

    public static async Task TearDownAsync()
    {
        if (!Directory.Exists(StateDirectory) && !Prerequisite.IsRoot)
        {
            return;
        }

        ProcessResult check = await ExternalProcess.RunAsync(Path.Combine(Scripts, "check-lan.sh"), [], timeout: TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        ProcessResult down = await ExternalProcess.RunAsync(Path.Combine(Scripts, "teardown.sh"), ["--kill-strays"], timeout: TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        Assert.Multiple(() =>
        {
            Assert.That(check.ExitCode, Is.Zero, "a simulator died during the tests: " + check);
            Assert.That(down.ExitCode, Is.Zero, "teardown: " + down);
        });
    }

    /// <summary>Runs <c>onestoppi</c> inside the scanner namespace.</summary>
    public static Task<ProcessResult> OnestoppiAsync(TimeSpan timeout, params string[] arguments) => RunInScannerAsync(timeout, [], arguments);

    /// <summary>
    /// Runs <c>onestoppi</c> inside the scanner namespace as root without CAP_NET_RAW (dropped from the bounding
    /// set by util-linux's setpriv), as a service whose unit grants no capability would run.
    /// </summary>
    public static Task<ProcessResult> OnestoppiWithoutRawSocketsAsync(TimeSpan timeout, params string[] arguments) =>
        RunInScannerAsync(timeout, ["setpriv", "--bounding-set", "-net_raw", "--inh-caps", "-net_raw"], arguments);

    /// <summary>The addresses in the scanner's neighbour table on lan0, with their state (REACHABLE, STALE, INCOMPLETE, FAILED...).</summary>
    public static async Task<IReadOnlyDictionary<string, string>> NeighboursAsync()
    {
        ProcessResult show = await ExternalProcess.RunAsync("ip", ["-n", "osp-scan", "-j", "neigh", "show", "dev", "lan0"], timeout: TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        Assert.That(show.ExitCode, Is.Zero, show.ToString());
        return JsonDocument.Parse(show.StandardOutput).RootElement.EnumerateArray()
            .ToDictionary(e => e.GetProperty("dst").GetString()!, e => string.Join(',', e.GetProperty("state").EnumerateArray().Select(s => s.GetString())));
    }

    /// <summary>Empties the scanner's neighbour table, so a test sees only the entries its own sweep made.</summary>
    public static async Task FlushNeighboursAsync()
    {
        ProcessResult flush = await ExternalProcess.RunAsync("ip", ["-n", "osp-scan", "neigh", "flush", "all"], timeout: TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        Assert.That(flush.ExitCode, Is.Zero, flush.ToString());
    }

    private static Task<ProcessResult> RunInScannerAsync(TimeSpan timeout, string[] wrapper, string[] arguments)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "onestoppi.dll");
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        return ExternalProcess.RunAsync("ip", ["netns", "exec", "osp-scan", .. wrapper, host, dll, .. arguments], timeout: timeout);
    }

    /// <summary>table_fulls of the machine-wide neighbour table (the test process is in the initial namespace).</summary>
    public static long TableFulls()
    {
        string[] lines = File.ReadAllLines("/proc/net/stat/arp_cache");
        int column = Array.IndexOf(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), "table_fulls");
        return lines.Skip(1).Where(l => l.Trim().Length > 0)
            .Sum(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[column], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }

    public static JsonElement[] ParseArray(string json) => [.. JsonDocument.Parse(json).RootElement.EnumerateArray()];
}
