using System.Text;
using System.Text.Json;
using OneStopPi.Collection.Discovery;
using OneStopPi.Collection.Readings;

namespace OneStopPi.Collection.Tests.Readings;

/// <summary>
/// The <c>--json</c> documents are written one element at a time through a Utf8JsonWriter (not SerializeAsync, for the
/// AOT image's size): the bytes must be those of serializing the whole array with the context's options, empty, small
/// and past the writer's flush threshold, non-ASCII text included.
/// </summary>
public sealed class StreamedJsonTests
{
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(3)]
    [TestCase(400)]
    public async Task Readings_written_as_they_come_are_the_serialized_array(int count)
    {
        DeviceReading[] readings = [.. Enumerable.Range(0, count).Select(Reading)];
        using var stream = new MemoryStream();
        await ReadingJson.WriteAsync(stream, Stream(readings));
        Assert.That(Encoding.UTF8.GetString(stream.ToArray()), Is.EqualTo(ReadingJson.Serialize(readings)));
        if (count == 400)
        {
            Assert.That(stream.Length, Is.GreaterThan(64 * 1024), "past the flush threshold");
        }
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(3)]
    [TestCase(400)]
    public async Task Discovered_devices_written_one_by_one_are_the_serialized_list(int count)
    {
        DiscoveredDevice[] devices = [.. Enumerable.Range(0, count).Select(Device)];
        using var stream = new MemoryStream();
        await DiscoveryJsonContext.WriteAsync(stream, devices);
        string whole = JsonSerializer.Serialize<IReadOnlyList<DiscoveredDevice>>(devices, DiscoveryJsonContext.Default.IReadOnlyListDiscoveredDevice);
        Assert.That(Encoding.UTF8.GetString(stream.ToArray()), Is.EqualTo(whole));
        if (count == 400)
        {
            Assert.That(stream.Length, Is.GreaterThan(64 * 1024), "past the flush threshold");
        }
    }

    private static async IAsyncEnumerable<DeviceReading> Stream(DeviceReading[] readings)
    {
        foreach (DeviceReading reading in readings)
        {
            await Task.Yield();
            yield return reading;
        }
    }

    private static DeviceReading Reading(int i) => new()
    {
        Ip = $"10.0.{i / 256}.{i % 256}",
        Port = 161,
        Mac = i % 2 == 0 ? "aa:bb:cc:dd:ee:ff" : null,
        SysName = "Büro-Drucker <2> \"Empfang\" ✓",
        Status = new DeviceStatus
        {
            HrDeviceStatus = HrDeviceStatus.Warning,
            Errors = ["lowToner"],
            Alerts = [new PrinterAlert { Index = 1, Severity = AlertSeverity.Warning, Group = AlertGroup.MarkerSupplies, Code = "markerTonerAlmostEmpty", CodeValue = 1104 }],
        },
        Counters = new Dictionary<string, PageCounter> { ["total"] = new(1234 + i, "1.3.6.1.2.1.43.10.2.1.4.1.1") },
        Supplies = [new SupplyReading { Description = "Schwarz Toner", Type = SupplyType.Toner, Colour = "black", Level = 40, Max = 100, State = SupplyState.SomeRemaining }],
        Requests = 4,
    };

    private static DiscoveredDevice Device(int i) => new()
    {
        Ip = $"10.1.{i / 256}.{i % 256}",
        Mac = i % 2 == 0 ? "aa:bb:cc:dd:ee:0f" : null,
        Reason = "Printer-MIB answers",
        Snmp = true,
        Printer = i % 3 != 0,
        CredentialIndex = 1,
        SysDescr = "Büro ✓ <x> & \"y\"",
    };
}
