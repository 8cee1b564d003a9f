using OneStopPi.TestSupport;

namespace OneStopPi.Collection.Tests.Support;

/// <summary>
/// The snmpsim fleets the tests share, started on first use and stopped when the run ends
/// (<see cref="FleetTearDown"/>). Loopback 127.0.93.0/24 is this project's test range.
/// </summary>
internal static class Fleets
{
    private static readonly Lazy<Task<SnmpsimFleet>> WalksFleet = new(() => SnmpsimFleet.StartAsync("v2c", "127.0.93.1",
        [.. Directory.GetFiles(RepoPaths.SampleWalks, "*.snmprec").Order(StringComparer.Ordinal),
         .. Directory.GetFiles(Path.Combine(RepoPaths.TestData, "walks"), "*.snmprec").Order(StringComparer.Ordinal)]));

    private static readonly Lazy<Task<SnmpsimFleet>> HostileFleet = new(() => SnmpsimFleet.StartAsync("v2c", "127.0.93.201",
        [.. Directory.GetFiles(Path.Combine(RepoPaths.TestData, "hostile"), "*.snmprec").Order(StringComparer.Ordinal)]));

    /// <summary>Every recording of samples/walks plus the converted GLPI samples.</summary>
    public static Task<SnmpsimFleet> WalksAsync() => WalksFleet.Value;

    /// <summary>The hostile recordings of Data/hostile.</summary>
    public static Task<SnmpsimFleet> HostileAsync() => HostileFleet.Value;

    public static async Task StopAllAsync()
    {
        foreach (Lazy<Task<SnmpsimFleet>> fleet in new[] { WalksFleet, HostileFleet })
        {
            if (fleet.IsValueCreated && fleet.Value.IsCompletedSuccessfully)
            {
                await fleet.Value.Result.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
