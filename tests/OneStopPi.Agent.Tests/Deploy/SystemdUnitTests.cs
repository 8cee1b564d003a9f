using System.Diagnostics;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Deploy;

/// <summary>
/// The shipped unit is checked by systemd's own tools, offline (there is no running systemd in CI):
/// <c>systemd-analyze verify</c> for syntax, and <c>systemd-analyze security --offline</c> for the
/// sandbox, which must stay in systemd's "OK" band.
/// </summary>
public sealed class SystemdUnitTests
{
    private static string UnitPath()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "systemd", "onestoppi.service");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("systemd/onestoppi.service not found above the test directory");
    }

    private static string CopyWithExistingExecutable()
    {
        // verify checks that ExecStart's binary exists; the agent is not installed on a build machine.
        string dir = Directory.CreateTempSubdirectory("osp-unit-").FullName;
        string copy = Path.Combine(dir, "onestoppi.service");
        File.WriteAllText(copy, File.ReadAllText(UnitPath()).Replace("ExecStart=/usr/bin/onestoppi run", "ExecStart=/bin/true run", StringComparison.Ordinal));
        return copy;
    }

    private static (int ExitCode, string Output) Run(params string[] arguments)
    {
        Prerequisite.RequireFile("/usr/bin/systemd-analyze", "systemd");

        var start = new ProcessStartInfo("/usr/bin/systemd-analyze") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        Assert.That(process.WaitForExit(60_000), Is.True, "systemd-analyze did not finish");
        return (process.ExitCode, output);
    }

    [Test]
    public void The_unit_is_valid()
    {
        (int exit, string output) = Run("verify", CopyWithExistingExecutable());
        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Not.Contain("Unknown key").And.Not.Contain("Failed"), output);
    }

    [Test]
    public void The_unit_is_notify_with_a_watchdog_and_only_raw_sockets()
    {
        string unit = File.ReadAllText(UnitPath());
        Assert.That(unit, Does.Contain("Type=notify").And.Contain("WatchdogSec=").And.Contain("Restart=always")
            .And.Contain("AmbientCapabilities=CAP_NET_RAW\n").And.Contain("CapabilityBoundingSet=CAP_NET_RAW\n")
            .And.Contain("StateDirectory=onestoppi").And.Contain("LogsDirectory=onestoppi").And.Contain("ConfigurationDirectory=onestoppi"));
    }

    [Test]
    public void The_sandbox_is_in_systemds_ok_band()
    {
        (int exit, string output) = Run("security", "--offline=yes", "--threshold=25", CopyWithExistingExecutable());
        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Match(@"Overall exposure level for onestoppi\.service: [0-2]\.\d OK"), output);
    }
}
