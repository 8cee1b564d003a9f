using System.Net;

namespace OneStopPi.TestSupport;

/// <summary>
/// Recordings served by Debian's snmpsim through tests/peers/walks-tools/run_fleet.sh, one loopback
/// address per recording. The recordings are copied to the fleet directory first (snmpsimd runs as nobody).
/// </summary>
internal sealed class SnmpsimFleet : IAsyncDisposable
{
    /// <summary>
    /// How long run_fleet.sh may wait for snmpsimd to answer: a hang guard, not a speed goal (it indexes every
    /// recording first: seconds on an idle machine, minutes on a busy one).
    /// </summary>
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(600);

    private static readonly IReadOnlyDictionary<string, string> StartEnvironment = new Dictionary<string, string>
    {
        ["MIBS"] = "",
        ["FLEET_WAIT"] = ((int)StartLimit.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private readonly Dictionary<string, IPEndPoint> _endPoints;
    private bool _stopped;

    private SnmpsimFleet(string directory, Dictionary<string, IPEndPoint> endPoints)
    {
        Directory = directory;
        _endPoints = endPoints;
    }

    public string Directory { get; }

    /// <summary>Port 161 as root (like a printer), 1161 otherwise.</summary>
    public static int DefaultPort => Environment.IsPrivilegedProcess ? 161 : 1161;

    /// <summary>Starts a fleet; <paramref name="mode"/> is v2c (v1 and v2c) or v1 (copies without Counter64).</summary>
    public static async Task<SnmpsimFleet> StartAsync(string mode, string firstAddress, IReadOnlyList<string> recordings, int? port = null)
    {
        Prerequisite.RequireSnmpPeers();
        string directory = RepoPaths.NewRunDirectory($"osp-fleet-{mode}");
        string copies = Path.Combine(directory, "recordings");
        System.IO.Directory.CreateDirectory(copies);
        var files = new List<string>();
        foreach (string recording in recordings)
        {
            string copy = Path.Combine(copies, Path.GetFileName(recording));
            File.Copy(recording, copy);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            files.Add(copy);
        }

        int servedPort = port ?? DefaultPort;
        ProcessResult result = await ExternalProcess.RunAsync("/bin/bash",
            [Path.Combine(RepoPaths.WalkTools, "run_fleet.sh"), "start", mode, directory, firstAddress, servedPort.ToString(System.Globalization.CultureInfo.InvariantCulture), .. files],
            StartEnvironment, StartLimit + TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            // A start that gave up waiting (a busy machine) may leave snmpsimd running: stop what it recorded.
            await ExternalProcess.RunAsync("/bin/bash", [Path.Combine(RepoPaths.WalkTools, "run_fleet.sh"), "stop", directory], null, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            throw new InvalidOperationException($"run_fleet.sh start {mode} failed: {result}");
        }

        // run_fleet.sh's map.tsv: address, port, ..., the recording served there.
        var endPoints = new Dictionary<string, IPEndPoint>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(Path.Combine(directory, "map.tsv")).Skip(1))
        {
            string[] cells = line.Split('\t');
            endPoints[NameOf(cells[3])] = new IPEndPoint(IPAddress.Parse(cells[0]), int.Parse(cells[1], System.Globalization.CultureInfo.InvariantCulture));
        }

        return new SnmpsimFleet(directory, endPoints);
    }

    /// <summary>Where the recording named <paramref name="name"/> (file name without .snmprec) is served.</summary>
    public IPEndPoint this[string name] => _endPoints[name];

    /// <summary>Where a recording is served, named by its path, its file name or its name without .snmprec.</summary>
    public IPEndPoint EndPointOf(string recording) =>
        _endPoints.TryGetValue(NameOf(recording), out IPEndPoint? endPoint) ? endPoint : throw new ArgumentException($"{recording} is not served by this fleet");

    /// <summary>Every recording served, by name (file name without .snmprec).</summary>
    public IReadOnlyDictionary<string, IPEndPoint> EndPoints => _endPoints;

    private static string NameOf(string recording)
    {
        string file = Path.GetFileName(recording);
        return file.EndsWith(".snmprec", StringComparison.Ordinal) ? file[..^".snmprec".Length] : file;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await ExternalProcess.RunAsync("/bin/bash", [Path.Combine(RepoPaths.WalkTools, "run_fleet.sh"), "stop", Directory], null, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
