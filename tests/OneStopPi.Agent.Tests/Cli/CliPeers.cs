using System.Net;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Cli;

/// <summary>
/// Peers for the CLI tests, all on 127.0.92.x: net-snmp snmpd (the v3 matrix script without snmpsim) on
/// 127.0.92.1:16100 for SNMPv3 and its reports, and snmpsim fleets serving recordings from samples/walks,
/// SNMPv2c from 127.0.92.10 and SNMPv1 from 127.0.92.40.
/// </summary>
[SetUpFixture]
public sealed class CliPeers
{
    /// <summary>Recordings chosen for what they exercise: wrapped hex, backslashes, a CR, trailing spaces, Counter64.</summary>
    public static readonly string[] Devices = ["brother_dcp-1618w", "brother_hl-5350dn", "jetdirect_m130nw", "samsungprinter_m4080fx", "zebra"];

    public static readonly IPEndPoint Snmpd = new(IPAddress.Parse("127.0.92.1"), V3MatrixPeers.SnmpdPort);

    /// <summary>Nothing listens here: requests time out.</summary>
    public static readonly IPEndPoint Silent = new(IPAddress.Parse("127.0.92.250"), 161);

    private static V3MatrixPeers? _snmpd;
    private static SnmpsimFleet? _v2c;
    private static SnmpsimFleet? _v1;

    internal static SnmpsimFleet V2cFleet => _v2c ?? throw new InvalidOperationException("fleet not running");

    internal static SnmpsimFleet V1Fleet => _v1 ?? throw new InvalidOperationException("fleet not running");

    public static string Recording(string device) => Path.Combine(RepoPaths.SampleWalks, device + ".snmprec");

    [OneTimeSetUp]
    public async Task Start()
    {
        string[] recordings = [.. Devices.Select(Recording)];
        Task<V3MatrixPeers> snmpd = V3MatrixPeers.StartAsync("127.0.92.1", withSimulator: false);
        Task<SnmpsimFleet> v2c = SnmpsimFleet.StartAsync("v2c", "127.0.92.10", recordings);
        Task<SnmpsimFleet> v1 = SnmpsimFleet.StartAsync("v1", "127.0.92.40", recordings);
        // Await all three before failing, so the teardown stops whatever did start.
        try
        {
            _snmpd = await snmpd;
        }
        finally
        {
            try
            {
                _v2c = await v2c;
            }
            finally
            {
                _v1 = await v1;
            }
        }
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        foreach (IAsyncDisposable? peer in new IAsyncDisposable?[] { _snmpd, _v2c, _v1 })
        {
            if (peer is not null)
            {
                await peer.DisposeAsync();
            }
        }
    }
}
