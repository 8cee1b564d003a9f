using System.Net;
using System.Text.Json;
using OneStopPi.Collection.Discovery;

namespace OneStopPi.Collection.Tests.Discovery;

public sealed class DeviceRegistryTests
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 6, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Tuesday = Monday.AddDays(1);

    private static DiscoveredDevice Printer(string ip, string? serial, string? mac = null, int? credential = 0, string vendor = "Kyocera") => new()
    {
        Ip = ip,
        Mac = mac,
        Icmp = true,
        Snmp = true,
        Printer = true,
        Reason = "Printer-MIB answers",
        Vendor = vendor,
        Serial = serial,
        CredentialIndex = credential,
    };

    [Test]
    public void Two_addresses_one_device_read_once()
    {
        var registry = new DeviceRegistry();
        RegistryMerge merge = registry.Merge([Printer("10.0.0.30", "LVX1234", "02:00:00:00:00:30"), Printer("10.0.0.7", "LVX1234", "02:00:00:00:00:07")], Monday);
        Assert.Multiple(() =>
        {
            Assert.That(merge.Seen, Has.Count.EqualTo(1));
            Assert.That(merge.Seen[0].Ip, Is.EqualTo("10.0.0.7"), "the lowest address, when none was read before");
            Assert.That(merge.Seen[0].Addresses, Is.EqualTo(new[] { "10.0.0.30", "10.0.0.7" }));
            Assert.That(merge.CollapsedAddresses, Is.EqualTo(1));
            Assert.That(registry.Devices, Has.Count.EqualTo(1));
        });

        // Next time it keeps being read where it was read before, even if another address sorts lower.
        RegistryMerge again = registry.Merge([Printer("10.0.0.7", "LVX1234"), Printer("10.0.0.3", "LVX1234")], Tuesday);
        Assert.That(again.Seen.Single().Ip, Is.EqualTo("10.0.0.7"));
        Assert.That(again.Moved, Is.Empty);
    }

    [Test]
    public void Moved_device_is_rehomed_not_duplicated()
    {
        var registry = new DeviceRegistry();
        registry.Merge([Printer("10.0.0.7", "LVX1234", credential: 2)], Monday);
        RegistryMerge merge = registry.Merge([Printer("10.0.0.99", "LVX1234", credential: null)], Tuesday);
        Assert.Multiple(() =>
        {
            Assert.That(merge.Moved, Is.EqualTo(new[] { new DeviceMove("serial:KYOCERA:LVX1234", "10.0.0.7", "10.0.0.99") }));
            Assert.That(registry.Devices, Has.Count.EqualTo(1));
            Assert.That(registry.Devices[0].Ip, Is.EqualTo("10.0.0.99"));
            Assert.That(registry.Devices[0].FirstSeen, Is.EqualTo(Monday));
            Assert.That(registry.Devices[0].LastSeen, Is.EqualTo(Tuesday));
            Assert.That(registry.Devices[0].CredentialIndex, Is.EqualTo(2), "kept when the probe did not say");
            Assert.That(registry.PreferredCredential(IPAddress.Parse("10.0.0.99")), Is.EqualTo(2));
        });
    }

    [Test]
    public void Without_serial_the_mac_is_the_identity_and_a_later_serial_upgrades_the_key()
    {
        var registry = new DeviceRegistry();
        registry.Merge([Printer("10.0.0.8", null, "02:00:00:00:00:08")], Monday);
        Assert.That(registry.Devices.Single().Key, Is.EqualTo("mac:02:00:00:00:00:08"));
        RegistryMerge merge = registry.Merge([Printer("10.0.0.9", "E7X00001", "02:00:00:00:00:08")], Tuesday);
        Assert.Multiple(() =>
        {
            Assert.That(registry.Devices, Has.Count.EqualTo(1));
            Assert.That(registry.Devices[0].Key, Is.EqualTo("serial:KYOCERA:E7X00001"));
            Assert.That(merge.Moved.Single().From, Is.EqualTo("10.0.0.8"));
            Assert.That(merge.NewDevices, Is.Zero);
        });
    }

    [Test]
    public void Refind_rehomes_only_the_missing_devices_and_leaves_the_rest_to_the_daily_discovery()
    {
        var registry = new DeviceRegistry();
        registry.Merge([Printer("10.0.0.5", "AAA111"), Printer("10.0.0.6", "BBB222"), Printer("10.0.0.7", "CCC333")], Monday);

        // The status scan missed AAA111 and CCC333; the sweep finds AAA111 elsewhere, BBB222 where it was, and a new printer.
        RegistryMerge merge = registry.Refind(
            [Printer("10.0.0.6", "BBB222"), Printer("10.0.0.9", "AAA111"), Printer("10.0.0.10", "DDD444")], ["serial:KYOCERA:AAA111", "serial:KYOCERA:CCC333"], Tuesday);

        Assert.Multiple(() =>
        {
            Assert.That(merge.Seen.Select(d => (d.Key, d.Ip)), Is.EqualTo(new[] { ("serial:KYOCERA:AAA111", "10.0.0.9") }));
            Assert.That(merge.Moved, Is.EqualTo(new[] { new DeviceMove("serial:KYOCERA:AAA111", "10.0.0.5", "10.0.0.9") }));
            Assert.That(merge.NewDevices, Is.Zero);
            Assert.That(registry.Devices.Select(d => (d.Serial, d.Ip)),
                Is.EquivalentTo(new[] { ("AAA111", "10.0.0.9"), ("BBB222", "10.0.0.6"), ("CCC333", "10.0.0.7") }), "one entry each, nothing new");
            Assert.That(registry.Devices.Single(d => d.Serial == "AAA111").Addresses, Is.EqualTo(new[] { "10.0.0.9" }), "not at its old address as well");
            Assert.That(registry.Devices.Single(d => d.Serial == "BBB222").LastSeen, Is.EqualTo(Monday), "answered the status scan: not touched");
            Assert.That(registry.Devices.Single(d => d.Serial == "CCC333").LastSeen, Is.EqualTo(Monday), "still missing: kept where it was");
        });
    }

    [Test]
    public void Refind_of_a_mac_keyed_device_that_now_tells_its_serial_says_which_key_it_had()
    {
        var registry = new DeviceRegistry();
        registry.Merge([Printer("10.0.0.8", null, "02:00:00:00:00:08")], Monday);

        RegistryMerge merge = registry.Refind([Printer("10.0.0.12", "E7X00001", "02:00:00:00:00:08")], ["mac:02:00:00:00:00:08"], Tuesday);

        Assert.Multiple(() =>
        {
            Assert.That(merge.Rekeyed, Is.EqualTo(new Dictionary<string, string> { ["mac:02:00:00:00:00:08"] = "serial:KYOCERA:E7X00001" }));
            Assert.That(registry.Devices.Select(d => (d.Key, d.Ip)), Is.EqualTo(new[] { ("serial:KYOCERA:E7X00001", "10.0.0.12") }));
        });
    }

    [Test]
    public void Same_serial_different_vendors_are_different_devices()
    {
        var registry = new DeviceRegistry();
        registry.Merge([Printer("10.0.0.1", "12345", vendor: "Ricoh"), Printer("10.0.0.2", "12345", vendor: "Canon")], Monday);
        Assert.That(registry.Devices, Has.Count.EqualTo(2));
    }

    [Test]
    public void Devices_not_seen_are_kept_and_lose_an_address_taken_by_another()
    {
        var registry = new DeviceRegistry();
        registry.Merge([Printer("10.0.0.5", "AAA111"), Printer("10.0.0.6", "BBB222")], Monday);
        registry.Merge([Printer("10.0.0.6", "CCC333")], Tuesday);
        Assert.Multiple(() =>
        {
            Assert.That(registry.Devices.Select(d => d.Key), Is.EquivalentTo(new[] { "serial:KYOCERA:AAA111", "serial:KYOCERA:BBB222", "serial:KYOCERA:CCC333" }));
            Assert.That(registry.Devices.Single(d => d.Serial == "BBB222").Addresses, Is.Empty);
            Assert.That(registry.PreferredCredential(IPAddress.Parse("10.0.0.5")), Is.EqualTo(0));
        });
    }

    [Test]
    public void Document_round_trips_through_source_generated_json()
    {
        var registry = new DeviceRegistry();
        registry.Merge([Printer("10.0.0.5", "AAA111", "02:00:00:00:00:05")], Monday);
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(registry.ToDocument(), DeviceRegistryJsonContext.Default.DeviceRegistryDocument);
        DeviceRegistryDocument back = JsonSerializer.Deserialize(json, DeviceRegistryJsonContext.Default.DeviceRegistryDocument)!;
        Assert.That(back.Version, Is.EqualTo(DeviceRegistryDocument.CurrentVersion));
        Assert.That(back.Devices.Single() with { Addresses = [] }, Is.EqualTo(registry.Devices.Single() with { Addresses = [] }));
        Assert.That(back.Devices.Single().Addresses, Is.EqualTo(registry.Devices.Single().Addresses));
    }
}

public sealed class DiscoveryJsonTests
{
    [Test]
    public async Task Discover_only_json_is_an_array_with_exactly_the_documented_fields()
    {
        using var stream = new MemoryStream();
        await DiscoveryJsonContext.WriteAsync(stream, [new DiscoveredDevice { Ip = "10.0.0.5", Reason = "Printer-MIB answers", Snmp = true, Printer = true, CredentialIndex = 1, SysDescr = "x" }]);
        using JsonDocument document = JsonDocument.Parse(stream.ToArray());
        JsonElement item = document.RootElement.EnumerateArray().Single();
        Assert.That(item.EnumerateObject().Select(p => p.Name),
            Is.EqualTo(new[] { "ip", "mac", "icmp", "snmp", "printer", "reason", "vendor", "model", "serial" }));
        Assert.That(item.GetProperty("mac").ValueKind, Is.EqualTo(JsonValueKind.Null), "unknown is null, present");
    }
}
