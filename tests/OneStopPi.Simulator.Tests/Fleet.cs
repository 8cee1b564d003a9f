using System.Net;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Text;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Simulator.Tests;

/// <summary>Helpers to start a simulator on the test range and to read what it serves.</summary>
internal static class Fleet
{
    private static readonly Lazy<RecordingSet> SamplesSet = new(() => RecordingLoader.LoadDirectory(TestPaths.Walks));

    public static IReadOnlyList<Recording> Samples => SamplesSet.Value.Recordings;

    public static Recording Sample(string name) => Samples.Single(r => r.Name == name);

    public static FleetSimulator Start(IReadOnlyList<Recording> recordings, int firstOctet, int port, SimulatorOptions? options = null)
    {
        options ??= new SimulatorOptions();
        var fleet = FleetSimulator.Create(recordings, new SimulatorOptions
        {
            FirstAddress = Loopback.At(firstOctet),
            Port = port,
            Count = options.Count,
            Community = options.Community,
            V3User = options.V3User,
            AdvancePagesPerMinute = options.AdvancePagesPerMinute,
            SupplyDrain = options.SupplyDrain,
            EngineBoots = options.EngineBoots,
            MaxRequestSize = options.MaxRequestSize,
            TimeProvider = options.TimeProvider,
        });
        fleet.Start();
        return fleet;
    }

    public static SnmpTarget V2c(IPEndPoint endPoint) =>
        new(endPoint, new CommunityCredentials(SnmpVersion.V2c, "public")) { Timeout = TimeSpan.FromSeconds(2), Retries = 2 };

    public static SnmpTarget V1(IPEndPoint endPoint) =>
        new(endPoint, new CommunityCredentials(SnmpVersion.V1, "public")) { Timeout = TimeSpan.FromSeconds(2), Retries = 2 };

    /// <summary>Walks everything (<c>.1</c>) and returns the records as snmprec text.</summary>
    public static async Task<List<string>> WalkAsync(SnmpClient client, SnmpTarget target, int maxRepetitions = 25)
    {
        var records = new List<string>();
        await foreach (Varbind varbind in client.WalkAsync(target, ObjectIdentifier.Parse("1"),
                           new WalkOptions { MaxRepetitions = maxRepetitions, GetRootWhenEmpty = false }))
        {
            records.Add(SnmprecFormat.FormatRecord(varbind));
        }

        return records;
    }

    /// <summary>
    /// The recording as snmpsim serves it, as snmprec text: each line read as snmpsim reads it (stripped, first two '|'),
    /// sorted by OID, the first of duplicate OIDs kept, formatted back by <see cref="SnmprecFormat.FormatRecord"/>.
    /// </summary>
    public static List<string> Expected(Recording recording) => [.. recording.Varbinds.Select(SnmprecFormat.FormatRecord)];
}
