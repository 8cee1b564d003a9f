using System.Globalization;
using System.IO.Compression;
using System.Xml;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Lan;

/// <summary>What the LAN page shows of a device's last reading (state/lan-readings.json).</summary>
public sealed record DeviceSummary(string Ip, string? Vendor, string? Model, string? Serial, DateTimeOffset Read, long? TotalPages, LowestSupply? LowestSupply);

public sealed record DeviceSummaryList(IReadOnlyList<DeviceSummary> Devices);

/// <summary>
/// The model, page total and lowest supply of each device from the last scan's reading document,
/// read back from the outbox right after the scan stored it. Interim: the device registry will hold
/// these; until then the pipeline keeps no reading besides the batch itself.
/// </summary>
public sealed partial class LastReadings
{
    private readonly FileOutbox _outbox;
    private readonly JsonStateFile<DeviceSummaryList> _file;
    private readonly ILogger<LastReadings> _logger;
    private readonly Lock _gate = new();
    private Dictionary<string, DeviceSummary> _byIp;

    public LastReadings(FileOutbox outbox, AgentPaths paths, ILogger<LastReadings> logger)
    {
        _outbox = outbox;
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

    /// <summary>Reads the batch <paramref name="batchId"/> from the outbox; a meter scan replaces every summary, a status scan updates.</summary>
    public async Task CaptureAsync(ScanKind kind, string batchId, DateTimeOffset read, CancellationToken cancellationToken)
    {
        OutboxItem? item = _outbox.Snapshot().FirstOrDefault(i => i.Key == batchId);
        if (item is null)
        {
            return; // already uploaded and removed: the page keeps the previous summaries
        }

        List<DeviceSummary> devices;
        try
        {
            devices = await ReadAsync(item.Path, read, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or XmlException or FormatException or OverflowException)
        {
            LogBatchUnreadable(batchId, e.Message);
            return;
        }

        DeviceSummaryList snapshot;
        lock (_gate)
        {
            if (kind == ScanKind.Meter)
            {
                _byIp = new(StringComparer.Ordinal);
            }

            foreach (DeviceSummary device in devices)
            {
                _byIp[device.Ip] = device;
            }

            snapshot = new DeviceSummaryList([.. _byIp.Values.OrderBy(d => d.Ip, StringComparer.Ordinal)]);
        }

        await _file.SaveAsync(snapshot, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<DeviceSummary>> ReadAsync(string path, DateTimeOffset read, CancellationToken cancellationToken)
    {
        var devices = new List<DeviceSummary>();
        var file = new FileStream(path, new FileStreamOptions { Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete, Options = FileOptions.Asynchronous });
        await using (file.ConfigureAwait(false))
        {
            using var zip = new ZipArchive(file, ZipArchiveMode.Read);
            foreach (ZipArchiveEntry entry in zip.Entries.Where(e => e.Name.EndsWith(".xml", StringComparison.Ordinal)))
            {
                Stream stream = entry.Open();
                await using (stream.ConfigureAwait(false))
                {
                    using var xml = XmlReader.Create(stream, new XmlReaderSettings { Async = true, DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
                    await ReadDocumentAsync(xml, read, devices, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return devices;
    }

    private static async Task ReadDocumentAsync(XmlReader xml, DateTimeOffset read, List<DeviceSummary> devices, CancellationToken cancellationToken)
    {
        DeviceSummary? current = null;
        while (await xml.ReadAsync().ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (xml.NodeType == XmlNodeType.EndElement && xml.LocalName == "device" && current is not null)
            {
                devices.Add(current);
                current = null;
                continue;
            }

            if (xml.NodeType != XmlNodeType.Element || xml.NamespaceURI != Readings.ReadingDocumentWriter.Namespace)
            {
                continue;
            }

            switch (xml.LocalName)
            {
                case "device" when xml.GetAttribute("error") is null || xml.GetAttribute("model") is not null:
                    current = new DeviceSummary(xml.GetAttribute("ip") ?? "", xml.GetAttribute("vendor"), xml.GetAttribute("model"), xml.GetAttribute("serial"),
                        read, null, null);
                    if (xml.IsEmptyElement)
                    {
                        devices.Add(current);
                        current = null;
                    }

                    break;
                case "counter" when current is not null && xml.GetAttribute("name") == "total":
                    current = current with { TotalPages = long.Parse(xml.GetAttribute("value") ?? "", NumberStyles.None, CultureInfo.InvariantCulture) };
                    break;
                case "supply" when current is not null && xml.GetAttribute("percent") is { } text:
                    int percent = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
                    if (current.LowestSupply?.Percent is not { } lowest || percent < lowest)
                    {
                        current = current with { LowestSupply = new LowestSupply(xml.GetAttribute("description") ?? xml.GetAttribute("type") ?? "supply", percent) };
                    }

                    break;
            }
        }
    }

    [LoggerMessage(EventId = 7401, Level = LogLevel.Warning, Message = "LAN: {Reason}; the page shows no reading details until the next scan")]
    private partial void LogUnreadable(string reason);

    [LoggerMessage(EventId = 7402, Level = LogLevel.Debug, Message = "LAN: batch {BatchId} unreadable for the page: {Reason}")]
    private partial void LogBatchUnreadable(string batchId, string reason);
}
