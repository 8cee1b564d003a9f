using OneStopPi.Agent.Portal;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Lan;

/// <summary>The lowest supply of a device, for the status page (percent when the level is known).</summary>
public sealed record LowestSupply(string Name, int? Percent);

/// <summary>One device known locally, as the LAN page and API show it. No credentials here, by construction.</summary>
public sealed record LocalDevice(
    string Ip,
    string? Vendor,
    string? Model,
    string? Serial,
    string? Mac,
    DateTimeOffset? LastReading,
    long? TotalPages,
    LowestSupply? LowestSupply);

/// <summary>
/// Where the LAN face reads the devices known locally. The one seam to the device store, so that
/// replacing state/devices.json (<see cref="KnownDeviceList"/>) by the device registry changes one adapter.
/// </summary>
public interface ILocalDeviceSource
{
    IReadOnlyList<LocalDevice> Snapshot();
}

/// <summary>
/// The devices in state/devices.json as the last meter scan left it, with the model, page total and
/// lowest supply of their last reading (<see cref="LastReadings"/>) where known.
/// </summary>
public sealed class KnownDevicesSource : ILocalDeviceSource
{
    private readonly JsonStateFile<KnownDeviceList> _file;
    private readonly LastReadings _readings;

    public KnownDevicesSource(AgentPaths paths, LastReadings readings)
    {
        _file = new JsonStateFile<KnownDeviceList>(paths.State("devices.json"), AgentJsonContext.Default.KnownDeviceList);
        _readings = readings;
    }

    public IReadOnlyList<LocalDevice> Snapshot()
    {
        KnownDeviceList? list;
        try
        {
            list = _file.Load();
        }
        catch (StateFileCorruptException)
        {
            // The scan pipeline logs and resets an unreadable file; the page just shows none.
            return [];
        }

        return [.. (list?.Devices ?? []).Select(d => _readings.For(d.Ip) is { } r
            ? new LocalDevice(d.Ip, r.Vendor ?? d.Vendor, r.Model, r.Serial ?? d.Serial, d.Mac, r.Read, r.TotalPages, r.LowestSupply)
            : new LocalDevice(d.Ip, d.Vendor, null, d.Serial, d.Mac, d.LastSeen, null, null))];
    }
}
