namespace OneStopPi.TestSupport;

/// <summary>
/// The SNMPv3 interop peers of tests/peers/snmpv3 (net-snmp snmpd on ADDR:16100, and unless
/// <c>withSimulator</c> is false snmpsim on ADDR:16200..16249), started in a fresh RUN directory
/// and stopped by PID.
/// </summary>
internal sealed class V3MatrixPeers : IAsyncDisposable
{
    public const int SnmpdPort = 16100;
    public const int SimulatorBase = 16200;
    public const string AuthPassword = "authpass-1234";
    public const string PrivPassword = "privpass-5678";

    /// <summary>
    /// How long the script may wait for the peers to answer: a hang guard, not a speed goal. snmpsimd derives
    /// the keys of 50 engines' users before it answers (seconds on an idle machine, minutes on a busy one).
    /// </summary>
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(600);

    private readonly string _scripts = Path.Combine(RepoPaths.Peers, "snmpv3");
    private bool _stopped;

    private V3MatrixPeers(string address, string run)
    {
        Address = address;
        RunDirectory = run;
    }

    public string Address { get; }

    public string RunDirectory { get; }

    public static async Task<V3MatrixPeers> StartAsync(string address = "127.0.0.1", bool withSimulator = true)
    {
        Prerequisite.RequireSnmpPeers(snmpsim: withSimulator, netSnmpAgent: true);
        var peers = new V3MatrixPeers(address, RepoPaths.NewRunDirectory("osp-v3peers"));
        ProcessResult result = await ExternalProcess.RunAsync("/bin/bash", [Path.Combine(peers._scripts, "start-v3-matrix.sh")], peers.Environment(withSimulator),
            StartLimit + TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"start-v3-matrix.sh failed (RUN={peers.RunDirectory}): {result}");
        }

        return peers;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await ExternalProcess.RunAsync("/bin/bash", [Path.Combine(_scripts, "stop-v3-matrix.sh")], Environment(true), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        try
        {
            Directory.Delete(RunDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private Dictionary<string, string> Environment(bool withSimulator) => new()
    {
        ["RUN"] = RunDirectory,
        ["ADDR"] = Address,
        ["WITH_SIM"] = withSimulator ? "1" : "0",
        ["MIBS"] = "",
        ["PEERS_WAIT"] = ((int)StartLimit.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
