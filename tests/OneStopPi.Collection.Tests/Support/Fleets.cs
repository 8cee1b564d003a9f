using OneStopPi.TestSupport;

namespace OneStopPi.Collection.Tests.Support;

/// <summary>
/// The snmpsim fleets the tests share, started on first use and stopped when the run ends
/// (<see cref="FleetTearDown"/>). Loopback 127.0.93.0/24 is this project's test range.
/// </summary>
internal static class Fleets
{
    private static readonly Lazy<SnmpsimFleet> WalksFleet = new(() => Start("walks", "127.0.93.1",
        [.. Directory.GetFiles(RepoPaths.SampleWalks, "*.snmprec").Order(StringComparer.Ordinal),
         .. Directory.GetFiles(Path.Combine(RepoPaths.TestData, "walks"), "*.snmprec").Order(StringComparer.Ordinal)]));

    private static readonly Lazy<SnmpsimFleet> HostileFleet = new(() => Start("hostile", "127.0.93.201",
        [.. Directory.GetFiles(Path.Combine(RepoPaths.TestData, "hostile"), "*.snmprec").Order(StringComparer.Ordinal)]));

    /// <summary>Every recording of samples/walks plus the converted GLPI samples.</summary>
    public static SnmpsimFleet Walks => WalksFleet.Value;

    /// <summary>The hostile recordings of Data/hostile.</summary>
    public static SnmpsimFleet Hostile => HostileFleet.Value;

    public static void StopAll()
    {
        if (WalksFleet.IsValueCreated)
        {
            WalksFleet.Value.Dispose();
        }

        if (HostileFleet.IsValueCreated)
        {
            HostileFleet.Value.Dispose();
        }
    }

    private static SnmpsimFleet Start(string name, string firstIp, IReadOnlyList<string> files)
    {
        if (!SnmpsimFleet.Available)
        {
            Prerequisite.Missing("snmpsim is not installed (Debian package snmpsim)");
        }

        return SnmpsimFleet.Start(name, firstIp, files);
    }
}
