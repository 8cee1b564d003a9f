using System.Diagnostics.CodeAnalysis;
using NUnit.Framework;

namespace OneStopPi.TestSupport;

/// <summary>
/// What a test needs of the machine (root, a Debian package, a database server). Where it is missing, a
/// developer's run skips the test and says why; under CI (<c>CI=true</c>), where <c>.ci/run</c> runs as root
/// and installs every package, a missing prerequisite is a broken install, so the test fails instead of
/// hiding behind a skip.
/// </summary>
internal static class Prerequisite
{
    /// <summary>Runs under CI: the environment variable CI is "true", as .ci/run is called.</summary>
    public static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The effective user is root (not the user name, which a container may call anything).</summary>
    public static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>Skips the test with <paramref name="reason"/>, or fails it under CI.</summary>
    [DoesNotReturn]
    public static void Missing(string reason)
    {
        if (OnCi)
        {
            Assert.Fail($"{reason}. CI provides this (.ci/run runs as root and installs the packages), so here it is a failure.");
        }

        Assert.Ignore(reason);
    }

    /// <summary>Skips (or under CI fails) unless the process is root; <paramref name="why"/> says what needs it.</summary>
    public static void RequireRoot(string why)
    {
        if (!IsRoot)
        {
            Missing($"Needs root: {why}");
        }
    }

    /// <summary>Skips (or under CI fails) unless <paramref name="path"/> exists; <paramref name="package"/> is the Debian package that has it.</summary>
    public static void RequireFile(string path, string package)
    {
        if (!File.Exists(path))
        {
            Missing($"{path} is not installed (Debian package {package}; scripts/setup installs it)");
        }
    }

    /// <summary>
    /// What the SNMP peers of tests/peers need: snmpsim (and python3, which runs it and the fleet scripts) and,
    /// with <paramref name="netSnmpAgent"/>, net-snmp's snmpd and snmpget (the v3 matrix's readiness probe).
    /// Called before a peer is started, so a fixture's one-time set-up skips with the cause instead of failing
    /// on "nohup: failed to run command".
    /// </summary>
    public static void RequireSnmpPeers(bool snmpsim = true, bool netSnmpAgent = false)
    {
        RequireFile("/usr/bin/python3", "python3");
        if (snmpsim)
        {
            RequireFile("/usr/bin/snmpsimd", "snmpsim");
        }

        if (netSnmpAgent)
        {
            RequireFile("/usr/sbin/snmpd", "snmpd");
            RequireFile("/usr/bin/snmpget", "snmp");
        }
    }
}
