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
}
