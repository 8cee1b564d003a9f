using OneStopPi.Snmp.Transport;
using OneStopPi.TestSupport;

namespace OneStopPi.Snmp.Tests.Interop.V3Matrix;

/// <summary>
/// Starts tests/peers/snmpv3/start-v3-matrix.sh (snmpd on 127.0.0.1:16100, snmpsim on 127.0.0.1:16200..16249)
/// once for every fixture of this namespace, in a fresh RUN directory, and stops exactly its PIDs afterwards.
/// All those fixtures share one <see cref="SnmpClient"/>: one socket, every cell in flight on it.
/// </summary>
[SetUpFixture]
public sealed class V3MatrixSetUp
{
    private static V3MatrixPeers? _peers;
    private static SnmpClient? _client;

    public static SnmpClient Client => _client ?? throw new InvalidOperationException("The v3 matrix peers are not running.");

    /// <summary>The script's RUN directory (combos.tsv, logs).</summary>
    public static string RunDirectory => _peers?.RunDirectory ?? throw new InvalidOperationException("The v3 matrix peers are not running.");

    [OneTimeSetUp]
    public async Task StartPeers()
    {
        _peers = await V3MatrixPeers.StartAsync();
        _client = new SnmpClient();
    }

    [OneTimeTearDown]
    public async Task StopPeers()
    {
        if (_client is not null)
        {
            TestContext.Progress.WriteLine($"v3 matrix client: {_client.Statistics}");
            await _client.DisposeAsync();
            _client = null;
        }

        if (_peers is not null)
        {
            await _peers.DisposeAsync();
            _peers = null;
        }
    }
}
