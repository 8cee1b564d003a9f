using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Portal;
using OneStopPi.Collection.Readings;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Lan;

/// <summary>What the LAN page shows of a device's last reading (state/lan-readings.json).</summary>
public sealed record DeviceSummary(string Ip, string? Vendor, string? Model, string? Serial, DateTimeOffset Read, long? TotalPages, LowestSupply? LowestSupply)
{
    /// <summary>The summary of a reading taken at <paramref name="read"/>; null for a device that did not answer (or answered with an error) and was never identified: nothing to show.</summary>
    public static DeviceSummary? Of(DeviceReading reading, DateTimeOffset read)
    {
        ArgumentNullException.ThrowIfNull(reading);
        if (!((reading.Answered && reading.Error is null) || reading.Model is not null))
        {
            return null;
        }

        long? total = reading.Counters.TryGetValue(CounterNames.Total, out PageCounter? counter) && counter.Value >= 0 ? counter.Value : null;
        LowestSupply? lowest = null;
        foreach (SupplyReading supply in reading.Supplies)
        {
            if (supply.Percent is { } percent && (lowest is null || Math.Clamp(percent, 0, 100) < lowest.Percent))
            {
                string type = supply.Type.ToString();
                lowest = new LowestSupply(supply.Description ?? char.ToLowerInvariant(type[0]) + type[1..], Math.Clamp(percent, 0, 100));
            }
        }

        return new DeviceSummary(reading.Ip, reading.Vendor, reading.Model, reading.Serial, read, total, lowest);
    }
}

public sealed record DeviceSummaryList(IReadOnlyList<DeviceSummary> Devices);

/// <summary>
/// The model, page total and lowest supply of each device from the last scan, taken from the scan's
/// outcome as it completes (not read back from the batch, which the uploader may already have sent).
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

    /// <summary>Notes a scan's summaries: a meter scan replaces every summary, a status scan updates.</summary>
    public async Task CaptureAsync(ScanKind kind, IReadOnlyList<DeviceSummary> summaries, CancellationToken cancellationToken)
    {
        DeviceSummaryList snapshot;
        lock (_gate)
        {
            if (kind == ScanKind.Meter)
            {
                _byIp = new(StringComparer.Ordinal);
            }

            foreach (DeviceSummary summary in summaries)
            {
                _byIp[summary.Ip] = summary;
            }

            snapshot = new DeviceSummaryList([.. _byIp.Values.OrderBy(d => d.Ip, StringComparer.Ordinal)]);
        }

        try
        {
            await _file.SaveAsync(snapshot, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The page's copy survives a restart only; the scan's readings are in the outbox already, so a full
            // disk here must not turn a stored scan into a failed one (the page still shows them from memory).
            LogNotSaved(e.Message);
        }
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogUnreadable(string reason)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(7401, nameof(LogUnreadable)),
                "LAN: {Reason}; the page shows no reading details until the next scan", reason);
        }
    }

    private void LogNotSaved(string reason)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(7402, nameof(LogNotSaved)),
                "LAN: the last readings could not be saved ({Reason}); the page shows them until a restart", reason);
        }
    }
}
