using OneStopPi.Agent.Lan;
using OneStopPi.Collection.Discovery;
using OneStopPi.Collection.Readings;

namespace OneStopPi.Agent.Scheduling;

/// <summary>One device's reading and the credential (index in the site's list) that got it; null when none did.</summary>
internal readonly record struct DeviceResult(RegisteredDevice Device, DeviceReading Reading, int? Credential);

/// <summary>
/// What a scan keeps of each reading once it is on its way to the outbox: the counts, the LAN page's summary and,
/// for a device that answered, what the registry learns from it. The reading itself goes to <see cref="ScanBatches"/>.
/// </summary>
internal sealed class ScanResults(ScanBatches batches, TimeProvider time)
{
    private readonly List<DeviceSummary> _summaries = [];
    private readonly List<DiscoveredDevice> _answered = [];
    private int _devices;
    private int _answeredCount;

    /// <summary>The devices that answered, as the registry takes them.</summary>
    public IReadOnlyList<DiscoveredDevice> Answered => _answered;

    public async Task AddAsync(DeviceResult result, CancellationToken cancellationToken)
    {
        _devices++;
        if (result.Reading.Answered)
        {
            _answeredCount++;
        }

        if (Known(result) is { } device)
        {
            _answered.Add(device);
        }

        if (DeviceSummary.Of(result.Reading, time.GetUtcNow()) is { } summary)
        {
            _summaries.Add(summary);
        }

        await batches.AddAsync(result.Reading, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ScanOutcome> CompleteAsync(CancellationToken cancellationToken)
    {
        await batches.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return new ScanOutcome(_devices, _answeredCount, batches.FirstKey, _summaries) { Batches = batches.Written };
    }

    /// <summary>The full reading knows the serial and MAC better than the probe did: what the registry takes from an answered reading.</summary>
    public static DiscoveredDevice? Known(DeviceResult r) => r.Reading.Answered && r.Credential is not null
        ? new DiscoveredDevice
        {
            Ip = r.Reading.Ip,
            Port = r.Reading.Port,
            Mac = r.Device.Mac ?? r.Reading.Mac,
            Printer = true,
            Snmp = true,
            Reason = "read",
            Vendor = r.Device.Vendor ?? r.Reading.Vendor,
            Model = r.Device.Model ?? r.Reading.Model,
            Serial = r.Device.Serial ?? r.Reading.Serial,
            CredentialIndex = r.Credential,
        }
        : null;
}
