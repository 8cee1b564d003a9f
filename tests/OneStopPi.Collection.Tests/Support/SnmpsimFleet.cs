using System.Diagnostics;
using System.Net;

namespace OneStopPi.Collection.Tests.Support;

/// <summary>
/// Debian's snmpsim serving recordings, one loopback address each, started with
/// tests/peers/walks-tools/run_fleet.sh (a copy of the shared collection's script).
/// </summary>
internal sealed class SnmpsimFleet : IDisposable
{
    private readonly string _dir;
    private readonly Dictionary<string, IPEndPoint> _byFile = new(StringComparer.Ordinal);

    private SnmpsimFleet(string dir) => _dir = dir;

    public static bool Available => File.Exists("/usr/bin/snmpsimd");

    /// <summary>Port 161 needs root (snmpsimd drops to nobody after binding); others use a high port.</summary>
    public static int Port => Environment.IsPrivilegedProcess ? 161 : 16161;

    public IPEndPoint EndPointOf(string fileName) =>
        _byFile.TryGetValue(fileName, out IPEndPoint? endPoint) ? endPoint : throw new ArgumentException($"{fileName} is not served by this fleet");

    public IReadOnlyDictionary<string, IPEndPoint> EndPoints => _byFile;

    /// <summary>Starts snmpsim on FIRST_IP, FIRST_IP+1, ... for <paramref name="files"/>.</summary>
    public static SnmpsimFleet Start(string name, string firstIp, IReadOnlyList<string> files)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"onestoppi-{name}-{Environment.ProcessId}");
        var fleet = new SnmpsimFleet(dir);
        string output = Run(RepoPaths.RunFleet, ["start", "v2c", dir, firstIp, Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. files], out int code);
        if (code != 0)
        {
            throw new InvalidOperationException($"run_fleet.sh start failed ({code}): {output}");
        }

        foreach (string line in File.ReadAllLines(Path.Combine(dir, "map.tsv")).Skip(1))
        {
            string[] cells = line.Split('\t');
            fleet._byFile[Path.GetFileName(cells[3])] = new IPEndPoint(IPAddress.Parse(cells[0]), int.Parse(cells[1], System.Globalization.CultureInfo.InvariantCulture));
        }

        return fleet;
    }

    public void Dispose() => Run(RepoPaths.RunFleet, ["stop", _dir], out _);

    private static string Run(string file, IReadOnlyList<string> args, out int exitCode)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(660_000)) // run_fleet.sh's own wait (600 s on a busy machine) and a margin
        {
            process.Kill(entireProcessTree: true);
        }

        exitCode = process.ExitCode;
        return stdout + stderr;
    }
}
