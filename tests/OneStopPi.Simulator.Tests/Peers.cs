using System.Diagnostics;
using OneStopPi.TestSupport;

namespace OneStopPi.Simulator.Tests;

/// <summary>Runs the Debian peers (snmpsim's fleet script, net-snmp's tools) the comparison tests need.</summary>
internal static class Peers
{
    /// <summary>Skips the test on a developer machine without the tool; on CI (CI=true) a missing tool fails.</summary>
    public static void Require(string tool)
    {
        if (File.Exists(tool) || (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool))))
        {
            return;
        }

        Prerequisite.Missing($"{tool} is not installed (Debian packages snmp and snmpsim)");
    }

    public static (int ExitCode, string Output, string Error) Run(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["MIBS"] = ""; // numeric OIDs only, whatever MIBs are installed
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', arguments)} did not finish in {timeout.TotalSeconds} s");
        }

        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>A snmpsim fleet started by tests/peers/walks-tools/run_fleet.sh; stopping kills exactly its recorded PID.</summary>
    public sealed class SnmpsimFleet : IDisposable
    {
        private readonly string _directory;

        private SnmpsimFleet(string directory) => _directory = directory;

        /// <summary>
        /// Copies <paramref name="files"/> to a world-readable temporary folder (snmpsimd drops to user nobody) and
        /// serves them from <paramref name="firstIp"/> on, in <paramref name="mode"/> (v2c, v1 or v3).
        /// </summary>
        public static SnmpsimFleet Start(string mode, string firstIp, int port, IEnumerable<string> files)
        {
            string directory = Path.Combine(Path.GetTempPath(), $"osp-snmpsim-{mode}-{Environment.ProcessId}-{port}");
            if (Directory.Exists(directory))
            {
                Run("/bin/bash", [Path.Combine(TestPaths.WalksTools, "run_fleet.sh"), "stop", directory], TimeSpan.FromSeconds(30));
                Directory.Delete(directory, recursive: true);
            }

            string data = Path.Combine(directory, "recordings");
            Directory.CreateDirectory(data);
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(data, (UnixFileMode)0b111_101_101);
            var copies = new List<string>();
            foreach (string file in files)
            {
                string copy = Path.Combine(data, Path.GetFileName(file));
                File.Copy(file, copy);
                File.SetUnixFileMode(copy, (UnixFileMode)0b110_100_100);
                copies.Add(copy);
            }

            (int code, string output, string error) = Run("/bin/bash",
                [Path.Combine(TestPaths.WalksTools, "run_fleet.sh"), "start", mode, Path.Combine(directory, "fleet"), firstIp, port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. copies],
                TimeSpan.FromSeconds(660)); // run_fleet.sh's own wait (600 s on a busy machine) and a margin
            if (code != 0)
            {
                Assert.Fail($"run_fleet.sh start failed ({code}): {output} {error}");
            }

            return new SnmpsimFleet(directory);
        }

        public void Dispose()
        {
            Run("/bin/bash", [Path.Combine(TestPaths.WalksTools, "run_fleet.sh"), "stop", Path.Combine(_directory, "fleet")], TimeSpan.FromSeconds(30));
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
