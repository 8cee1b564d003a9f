using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Portal;
using OneStopPi.Collection.Readings;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Lan;

/// <summary>What the LAN page shows of a device's last reading (state/lan-readings.json).</summary>
public sealed record DeviceSummary(string Ip, string? Vendor, string? Model, string? Serial, DateTimeOffset Read, long? TotalPages, LowestSupply? LowestSupply);

public sealed record DeviceSummaryList(IReadOnlyList<DeviceSummary> Devices);

/// <summary>
/// The model, page total and lowest supply of each device from the last scan's readings, noted as the scan
/// ends (the same readings its batch holds). Interim: the device registry will hold these.
/// </summary>
public sealed partial class LastReadings
{
    private readonly JsonStateFile<DeviceSummaryList> _file;
    private readonly ILogger<LastReadings> _logger;
    private readonly Lock _gate = new();
    private Dictionary<string, DeviceSummary> _byIp;

    public LastReadings(AgentPaths paths, ILogger<LastReadings> logger)
    {
        _logger = logger;
        _file = new JsonStateFile<DeviceSummaryList>(paths.State("lan-readings.json"), AgentJsonContext.Default.DeviceSummaryList);
        try
        {
            _byIp = (_file.Load()?.Devices ?? []).ToDictionary(d => d.Ip, StringComparer.Ordinal);
        }
        catch (StateFileCorruptException e)
        {
            LogUnreadable(e.Message);
            _byIp = new(StringComparer.Ordinal);
        }
    }

    public DeviceSummary? For(string ip)
    {
        lock (_gate)
        {
            return _byIp.GetValueOrDefault(ip);
        }
    }

    /// <summary>Notes a scan's readings: a meter scan replaces every summary, a status scan updates.</summary>
    public async Task CaptureAsync(ScanKind kind, IReadOnlyList<DeviceReading> readings, DateTimeOffset read, CancellationToken cancellationToken)
    {
        DeviceSummaryList snapshot;
        lock (_gate)
        {
            if (kind == ScanKind.Meter)
            {
                _byIp = new(StringComparer.Ordinal);
            }

            foreach (DeviceReading reading in readings)
            {
                // A device that did not answer, or answered with a problem and no model, says nothing worth showing.
                if ((reading.Answered && reading.Error is null) || reading.Model is not null)
                {
                    _byIp[reading.Ip] = Summarise(reading, read);
                }
            }

            snapshot = new DeviceSummaryList([.. _byIp.Values.OrderBy(d => d.Ip, StringComparer.Ordinal)]);
        }

        await _file.SaveAsync(snapshot, cancellationToken).ConfigureAwait(false);
    }

    private static DeviceSummary Summarise(DeviceReading reading, DateTimeOffset read)
    {
        long? total = reading.Answered && reading.Counters.TryGetValue(CounterNames.Total, out PageCounter? counter) && counter.Value >= 0 ? counter.Value : null;
        LowestSupply? lowest = null;
        foreach (SupplyReading supply in reading.Answered ? reading.Supplies : [])
        {
            if (supply.Percent is not { } raw)
            {
                continue;
            }

            int percent = Math.Clamp(raw, 0, 100);
            if (lowest?.Percent is not { } low || percent < low)
            {
                lowest = new LowestSupply(supply.Description ?? Camel(supply.Type.ToString()), percent);
            }
        }

        return new DeviceSummary(reading.Ip, reading.Vendor, reading.Model, reading.Serial, read, total, lowest);
    }

    private static string Camel(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];

    [LoggerMessage(EventId = 7401, Level = LogLevel.Warning, Message = "LAN: {Reason}; the page shows no reading details until the next scan")]
    private partial void LogUnreadable(string reason);
}
