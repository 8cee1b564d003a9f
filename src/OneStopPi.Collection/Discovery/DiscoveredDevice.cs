using System.Text.Json;
using System.Text.Json.Serialization;

namespace OneStopPi.Collection.Discovery;

/// <summary>One live address found by a sweep: it answered ICMP echo, SNMP, or (on a directly connected subnet) at least ARP.</summary>
public sealed record DiscoveredDevice
{
    [JsonPropertyName("ip")]
    public required string Ip { get; init; }

    /// <summary>For hosts on a directly connected subnet: from the host's ARP answer, else the neighbour table; aa:bb:cc:dd:ee:ff.</summary>
    [JsonPropertyName("mac")]
    public string? Mac { get; init; }

    [JsonPropertyName("icmp")]
    public bool Icmp { get; init; }

    /// <summary>An SNMP agent answered: a response, or an SNMPv3 report refusing our user or engine ID.</summary>
    [JsonPropertyName("snmp")]
    public bool Snmp { get; init; }

    [JsonPropertyName("printer")]
    public bool Printer { get; init; }

    /// <summary>Why it is (or is not) a printer, or why SNMP gave nothing.</summary>
    [JsonPropertyName("reason")]
    public required string Reason { get; init; }

    [JsonPropertyName("vendor")]
    public string? Vendor { get; init; }

    [JsonPropertyName("model")]
    public string? Model { get; init; }

    [JsonPropertyName("serial")]
    public string? Serial { get; init; }

    /// <summary>The index in the site's credential list that got a response; null when none did.</summary>
    [JsonIgnore]
    public int? CredentialIndex { get; init; }

    [JsonIgnore]
    public int Port { get; init; } = 161;

    [JsonIgnore]
    public string? SysObjectId { get; init; }

    [JsonIgnore]
    public string? SysDescr { get; init; }

    /// <summary>An SNMPv3 agent refused every user we have (unknownUserName, unknownEngineID...): live, but unreadable.</summary>
    [JsonIgnore]
    public string? V3Refusal { get; init; }
}

/// <summary>Counts and measurements of one sweep.</summary>
public sealed record DiscoveryReport(
    long Addresses,
    int Live,
    int Printers,
    int NonPrinters,
    IcmpMode Icmp,
    TimeSpan Elapsed,
    long SnmpDatagrams,
    long IcmpEchoes,
    long SendRetries,
    int NeighbourBudget,
    long NeighbourEntriesStart,
    long NeighbourEntriesPeak,
    long TableFulls,
    long ArpRequests,
    int ArpReplies,
    long SendsRefused = 0);

// Metadata only: the fast-path writers repeated what the metadata does (54 KiB of the AOT image for the 7 contexts).
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(DiscoveredDevice[]))]
[JsonSerializable(typeof(IReadOnlyList<DiscoveredDevice>))]
public sealed partial class DiscoveryJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The <c>--discover-only --json</c> document: an array, one object per live address. Written one device at a
    /// time through a writer (the same bytes as serializing the list), not by JsonSerializer.SerializeAsync: that one
    /// brings an async serializer for every type of every JSON context into the AOT image (docs/benchmarks.md, "Fifth pass").
    /// </summary>
    public static async Task WriteAsync(Stream stream, IReadOnlyList<DiscoveredDevice> devices, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(devices);
        await using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = Default.Options.WriteIndented, Encoder = Default.Options.Encoder });
        writer.WriteStartArray();
        foreach (DiscoveredDevice device in devices)
        {
            JsonSerializer.Serialize(writer, device, Default.DiscoveredDevice);
            if (writer.BytesPending > 16 * 1024)
            {
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        writer.WriteEndArray();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
