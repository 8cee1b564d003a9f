using System.Net;
using System.Text.Json.Serialization;
using OneStopPi.Contracts;

namespace OneStopPi.Collection.Discovery;

/// <summary>One printer as the agent knows it across scans: its identity, where it was last, and which credential worked.</summary>
public sealed record RegisteredDevice
{
    /// <summary><c>serial:VENDOR:SERIAL</c>, else <c>mac:aa:bb:..</c>, else <c>ip:ADDRESS</c> (nothing better known).</summary>
    public required string Key { get; init; }

    public string? Vendor { get; init; }

    public string? Model { get; init; }

    public string? Serial { get; init; }

    public string? Mac { get; init; }

    /// <summary>The address the status scan reads.</summary>
    public required string Ip { get; init; }

    public int Port { get; init; } = 161;

    /// <summary>Every address the device answered on in its last scan (wired + Wi-Fi, two NICs).</summary>
    public IReadOnlyList<string> Addresses { get; init; } = [];

    /// <summary>Index in the site's credential list that worked last; tried first next time.</summary>
    public int? CredentialIndex { get; init; }

    public DateTimeOffset FirstSeen { get; init; }

    public DateTimeOffset LastSeen { get; init; }
}

/// <summary>The registry file (state/devices.json).</summary>
public sealed record DeviceRegistryDocument(int Version, IReadOnlyList<RegisteredDevice> Devices)
{
    public const int CurrentVersion = 1;
}

/// <summary>A device found at another address than last time.</summary>
public readonly record struct DeviceMove(string Key, string From, string To);

/// <summary>What one merge did.</summary>
/// <param name="Rekeyed">Devices known under another key before (a MAC-keyed one whose serial is now known): old key → new key.</param>
public sealed record RegistryMerge(IReadOnlyList<RegisteredDevice> Seen, IReadOnlyList<DeviceMove> Moved, int NewDevices, int CollapsedAddresses,
    IReadOnlyDictionary<string, string> Rekeyed);

/// <summary>
/// One identity per device: keyed by vendor + serial, then MAC. A printer answering on two addresses is
/// one device (its addresses listed, one of them read); a printer whose address changed is the same device,
/// re-homed rather than duplicated. Devices not seen in a scan are kept with their last address.
/// </summary>
public sealed class DeviceRegistry
{
    private readonly Dictionary<string, RegisteredDevice> _devices;

    public DeviceRegistry(IEnumerable<RegisteredDevice>? devices = null)
    {
        _devices = (devices ?? []).GroupBy(d => d.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
    }

    public IReadOnlyList<RegisteredDevice> Devices => [.. _devices.Values.OrderBy(d => d.Key, StringComparer.Ordinal)];

    public DeviceRegistryDocument ToDocument() => new(DeviceRegistryDocument.CurrentVersion, Devices);

    /// <summary>The identity key of a device, from what discovery or a reading told us: the portal keys its devices the same way.</summary>
    public static string KeyOf(string? vendor, string? serial, string? mac, string ip) => DeviceIdentity.Key(vendor, serial, mac, ip);

    /// <summary>The credential that worked last time for whatever device was last at <paramref name="address"/>.</summary>
    public int? PreferredCredential(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        string ip = address.ToString();
        foreach (RegisteredDevice device in _devices.Values)
        {
            if (device.Ip == ip || device.Addresses.Contains(ip))
            {
                return device.CredentialIndex;
            }
        }

        return null;
    }

    /// <summary>
    /// Folds one sweep's printers in. Returns one entry per device seen (the address to read first),
    /// the devices that moved, and how many extra addresses were folded into a device.
    /// </summary>
    public RegistryMerge Merge(IReadOnlyList<DiscoveredDevice> printers, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(printers);
        var seen = new List<RegisteredDevice>();
        var moved = new List<DeviceMove>();
        var rekeyed = new Dictionary<string, string>(StringComparer.Ordinal);
        int created = 0, collapsed = 0;
        foreach (IGrouping<string, DiscoveredDevice> group in printers.GroupBy(p => KeyOf(p.Vendor, p.Serial, p.Mac, p.Ip), StringComparer.Ordinal))
        {
            List<DiscoveredDevice> answers = [.. group];
            RegisteredDevice? known = Find(group.Key, answers);
            // Keep reading the address we used before if the device still answers there; else the lowest.
            DiscoveredDevice primary = answers.FirstOrDefault(a => a.Ip == known?.Ip)
                ?? answers.OrderBy(a => IPAddress.Parse(a.Ip).GetAddressBytes(), ByteOrder.Instance).First();
            collapsed += answers.Count - 1;
            if (known is not null && known.Ip != primary.Ip)
            {
                moved.Add(new DeviceMove(group.Key, known.Ip, primary.Ip));
            }

            if (known is not null && known.Key != group.Key)
            {
                _devices.Remove(known.Key); // a MAC-keyed device whose serial we now know
                rekeyed[known.Key] = group.Key;
            }

            created += known is null ? 1 : 0;
            var device = new RegisteredDevice
            {
                Key = group.Key,
                Vendor = primary.Vendor ?? known?.Vendor,
                Model = primary.Model ?? known?.Model,
                Serial = primary.Serial ?? known?.Serial,
                Mac = answers.Select(a => a.Mac).FirstOrDefault(m => m is not null) ?? known?.Mac,
                Ip = primary.Ip,
                Port = primary.Port,
                Addresses = [.. answers.Select(a => a.Ip).Order(StringComparer.Ordinal)],
                CredentialIndex = primary.CredentialIndex ?? known?.CredentialIndex,
                FirstSeen = known?.FirstSeen ?? now,
                LastSeen = now,
            };
            _devices[group.Key] = device;
            seen.Add(device);
        }

        // Another device now holds an address a device not seen this time had: that old entry is stale.
        var taken = seen.SelectMany(d => d.Addresses).ToHashSet(StringComparer.Ordinal);
        foreach (RegisteredDevice stale in _devices.Values.Where(d => d.LastSeen != now && taken.Contains(d.Ip)).ToList())
        {
            _devices[stale.Key] = stale with { Addresses = [.. stale.Addresses.Where(a => !taken.Contains(a))] };
        }

        return new RegistryMerge(seen, moved, created, collapsed, rekeyed);
    }

    /// <summary>
    /// Folds in what a sweep found for the known devices in <paramref name="missing"/> only (those that did not
    /// answer at their last address): a printer identified as one of them (serial, then MAC) is re-homed like
    /// <see cref="Merge"/> does. Every other printer is left out: new devices and the ones that answered wait
    /// for the daily discovery, so a status scan never grows the registry.
    /// </summary>
    public RegistryMerge Refind(IReadOnlyList<DiscoveredDevice> printers, IReadOnlyCollection<string> missing, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(printers);
        ArgumentNullException.ThrowIfNull(missing);
        var wanted = missing.ToHashSet(StringComparer.Ordinal);
        DiscoveredDevice[] theirs = [.. printers
            .GroupBy(p => KeyOf(p.Vendor, p.Serial, p.Mac, p.Ip), StringComparer.Ordinal)
            .Where(group => Find(group.Key, [.. group]) is { } known && wanted.Contains(known.Key))
            .SelectMany(group => group)];
        return Merge(theirs, now);
    }

    private RegisteredDevice? Find(string key, List<DiscoveredDevice> answers)
    {
        if (_devices.TryGetValue(key, out RegisteredDevice? exact))
        {
            return exact;
        }

        // Same MAC as a device registered by MAC (or by serial under another vendor spelling): the same box.
        foreach (string mac in answers.Select(a => a.Mac).OfType<string>())
        {
            if (_devices.Values.FirstOrDefault(d => string.Equals(d.Mac, mac, StringComparison.OrdinalIgnoreCase)) is { } byMac)
            {
                return byMac;
            }
        }

        // Registered by address only, and still there.
        return key.StartsWith("ip:", StringComparison.Ordinal) ? null
            : answers.Select(a => _devices.GetValueOrDefault($"ip:{a.Ip}")).FirstOrDefault(d => d is not null);
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}

// Metadata only: the fast-path writers repeated what the metadata does (54 KiB of the AOT image for the 7 contexts).
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata, WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(DeviceRegistryDocument))]
public sealed partial class DeviceRegistryJsonContext : JsonSerializerContext;
