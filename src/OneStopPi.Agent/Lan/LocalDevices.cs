using OneStopPi.Collection.Discovery;
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
/// Where the LAN face reads the devices known locally: the one seam to the device store.
/// </summary>
public interface ILocalDeviceSource
{
    IReadOnlyList<LocalDevice> Snapshot();
}

/// <summary>
/// The devices of the device registry (state/devices.json, written by the scan pipeline), with the model,
/// page total and lowest supply of their last reading (<see cref="LastReadings"/>) where known.
/// </summary>
public sealed class KnownDevicesSource : ILocalDeviceSource
{
    private readonly string _path;
    private readonly LastReadings _readings;

    public KnownDevicesSource(AgentPaths paths, LastReadings readings)
    {
        _path = paths.State("devices.json");
        _readings = readings;
    }

    public IReadOnlyList<LocalDevice> Snapshot()
    {
        IReadOnlyList<RegisteredDevice> devices;
        try
        {
            devices = RegistryFile.Load(_path).Devices;
        }
        catch (StateFileCorruptException)
        {
            // The scan pipeline logs and resets an unreadable file; the page just shows none.
            return [];
        }

        return [.. devices.Select(d => _readings.For(d.Ip) is { } r
            ? new LocalDevice(d.Ip, r.Vendor ?? d.Vendor, r.Model ?? d.Model, r.Serial ?? d.Serial, d.Mac, r.Read, r.TotalPages, r.LowestSupply)
            : new LocalDevice(d.Ip, d.Vendor, d.Model, d.Serial, d.Mac, d.LastSeen, null, null))];
    }
}
