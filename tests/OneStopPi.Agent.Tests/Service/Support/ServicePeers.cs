using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// What the service fixtures share, started on first use and stopped once at the end: the printer
/// fleet (snmpsim serving five recordings on 127.0.88.1-5:161) and one reference portal process
/// (127.0.0.1:18500). Each fixture makes its own site and agent in it. Loopback allocation of these
/// tests: 127.0.88.0/24 and TCP 18500-18599.
/// </summary>
[SetUpFixture]
public sealed class ServicePeers
{
    public const int SharedPortalPort = 18500;

    /// <summary>Printers with their own serials and MACs (the reconstructed brother_* ones share a MAC).</summary>
    public static readonly IReadOnlyList<string> Recordings = ["canonprinter_lbp", "jetdirect_m130nw", "ricoh_mpc3002", "sharp", "utax"];

    public const string FleetRange = "127.0.88.1-127.0.88.5";

    private static readonly Lock Gate = new();
    private static Task<SnmpsimFleet>? _fleet;
    private static Task<PortalProcess>? _portal;

    /// <summary>The fleet; the test is ignored when port 161 cannot be bound (not root).</summary>
    internal static async Task<SnmpsimFleet> FleetAsync()
    {
        Prerequisite.RequireRoot("the agent scans port 161, which the simulated fleet can bind only as root");
        Prerequisite.RequireSnmpPeers();

        Task<SnmpsimFleet> fleet;
        lock (Gate)
        {
            fleet = _fleet ??= SnmpsimFleet.StartAsync("v2c", "127.0.88.1",
                [.. Recordings.Select(r => Path.Combine(RepoPaths.SampleWalks, r + ".snmprec"))], 161);
        }

        return await fleet.ConfigureAwait(false);
    }

    internal static async Task<PortalProcess> PortalAsync()
    {
        Task<PortalProcess> portal;
        lock (Gate)
        {
            portal = _portal ??= PortalProcess.StartAsync(SharedPortalPort);
        }

        return await portal.ConfigureAwait(false);
    }

    /// <summary>The address a recording is served on.</summary>
    public static string Address(string recording) => $"127.0.88.{Recordings.ToList().IndexOf(recording) + 1}";

    [OneTimeTearDown]
    public async Task StopPeersAsync()
    {
        if (_portal is { IsCompletedSuccessfully: true } portal)
        {
            await portal.Result.DisposeAsync();
        }

        if (_fleet is { IsCompletedSuccessfully: true } fleet)
        {
            await fleet.Result.DisposeAsync();
        }
    }
}
